/**
 * A value already serialized as JSON, `T` being its shape: a page that PostgreSQL built (`json_agg` of
 * `parley_message_json`, say) travels to the response as the text it is, with no parse and no `JSON.stringify` on the
 * way (lib/api/handler.ts, `route`, sends it as the body). Server-side readers that need the value (a page's first
 * render, the data export) call {@link JsonText.parse}.
 *
 * Why: on the API's hottest reads, turning PostgreSQL's JSON into objects and back cost more CPU than the rest of our
 * code (docs/performance.md, "Issue 19"; docs/decisions.md, "Pages of JSON built by PostgreSQL").
 */
export class JsonText<T> {
  /** Only for the type: what the text holds. */
  declare readonly shape?: T;

  /** @param text JSON text of a `T` (not checked: the SQL that builds it is the one home of that shape). */
  constructor(readonly text: string) {}

  /** Serializes `value` (for the rarer paths that build a `T` in TypeScript but answer through the same function). */
  static of<T>(value: T): JsonText<T> {
    return new JsonText<T>(JSON.stringify(value));
  }

  /** The value, parsed. */
  parse(): T {
    return JSON.parse(this.text) as T;
  }
}
