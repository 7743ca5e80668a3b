/**
 * What a conversation shows only when asked — a message's menu, the reaction picker, who reacted (tooltips), and the
 * dialogs: confirmations, "Report message", a group's details, a profile card — in one chunk, with Base UI's popups and
 * their positioning: a quarter of the conversation page's JavaScript. The page renders without it (message-item.tsx
 * draws plain buttons until a message is pointed at, focused or touched) and loads it at the first sign of use: a
 * pointer moving, a key, a touch, the wheel, the focus moving in (`conversationPopups`, ./popups-loader.ts).
 */
export { ProfileCard } from "../profile-card";
export { ConfirmDialog } from "@/components/ui/confirm-dialog";
export { Dialog, DialogContent } from "@/components/ui/dialog";
export { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
export { Tooltip, TooltipContent, TooltipTrigger } from "@/components/ui/tooltip";
export { GroupDetails } from "./group-details";
export { ReactionPicker } from "./reaction-picker";
export { ReportDialog } from "./report-dialog";
