"use client";

import { lazyModule } from "@/hooks/use-lazy-module";

/** The components of ./popups.ts. */
export type ConversationPopups = typeof import("./popups");

/** The conversation's menus, popovers, tooltips and dialogs (./popups.ts), loaded at the first sign of use. */
export const conversationPopups = lazyModule<ConversationPopups>(() => import("./popups"));
