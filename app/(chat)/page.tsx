import { redirect } from "next/navigation";
import { NewConversationButton } from "@/components/chat/new-conversation-dialog";
import { auth } from "@/lib/auth";

/** Wide screens: what the conversation pane shows before a thread is picked. */
export default async function ChatHome() {
  const session = await auth();
  if (!session?.user?.id) redirect("/sign-in?callbackUrl=%2F");
  return (
    <div className="flex flex-1 flex-col items-center justify-center gap-3 p-8 text-center">
      <p className="text-lg font-medium">Pick a conversation</p>
      <p className="max-w-xs text-sm text-zinc-500 dark:text-zinc-400">Choose one from the list, or start a new one with anyone on Parley.</p>
      <NewConversationButton meId={session.user.id} variant="primary" />
    </div>
  );
}
