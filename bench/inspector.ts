// A running instance's inspector (Chrome DevTools Protocol over WebSocket, 127.0.0.1 only), for the live benchmarks:
// forced garbage collections and heap figures (bench/live.ts), and reading or instrumenting the event hub's internals
// (bench/live-load.ts). Node 20 has no WebSocket client of its own; Next ships `ws` precompiled.
import { createRequire } from "node:module";
import { HOST, type Instance, withTimeout } from "./kit";

interface WebSocketLike {
  once(event: "open" | "error" | "close", listener: (arg?: unknown) => void): void;
  on(event: "message", listener: (data: Buffer) => void): void;
  send(data: string): void;
  close(): void;
}
const WebSocketClient = createRequire(import.meta.url)("next/dist/compiled/ws") as new (url: string) => WebSocketLike;

export interface InspectorSession {
  /** Sends one protocol command and waits (≤ 60 s) for its answer's `result`. */
  call(method: string, params?: object): Promise<{ result?: { value?: unknown }; exceptionDetails?: unknown } | undefined>;
  /**
   * Evaluates `expression` in the instance's main context and returns its value, which must be a string (stringify
   * objects in the expression).
   * @throws Error when the expression throws or does not return a string.
   */
  evaluate(expression: string): Promise<string>;
  close(): void;
}

/**
 * Opens a session on `instance`'s inspector (started with `startInstance(…, true)`).
 * @throws Error when the instance has no inspector or it does not answer.
 */
export async function openInspector(instance: Instance): Promise<InspectorSession> {
  if (!instance.inspectPort) throw new Error(`instance ${instance.name} was started without its inspector`);
  const targets = (await (await fetch(`http://${HOST}:${instance.inspectPort}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`instance ${instance.name}: no inspector target`);
  const ws = new WebSocketClient(url);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  type Answer = { id?: number; result?: { result?: { value?: unknown }; exceptionDetails?: unknown }; error?: unknown };
  const pending = new Map<number, (message: Answer) => void>();
  ws.on("message", (data) => {
    const message = JSON.parse(data.toString()) as Answer;
    if (message.id !== undefined) {
      pending.get(message.id)?.(message);
      pending.delete(message.id);
    }
  });
  let nextId = 0;
  const call = async (method: string, params: object = {}) => {
    const answer = await withTimeout(
      new Promise<Answer>((resolve) => {
        const id = ++nextId;
        pending.set(id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      }),
      60_000,
      `inspector ${method}`,
    );
    if (answer.error) throw new Error(`inspector ${method}: ${JSON.stringify(answer.error).slice(0, 300)}`);
    return answer.result ? { result: answer.result.result, exceptionDetails: answer.result.exceptionDetails } : undefined;
  };
  return {
    call,
    async evaluate(expression) {
      const answer = await call("Runtime.evaluate", { returnByValue: true, expression });
      const value = answer?.result?.value;
      if (answer?.exceptionDetails || typeof value !== "string") {
        throw new Error(`inspector: unexpected answer ${JSON.stringify(answer).slice(0, 300)}`);
      }
      return value;
    },
    close: () => ws.close(),
  };
}
