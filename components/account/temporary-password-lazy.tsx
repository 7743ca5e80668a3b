"use client";

import dynamic from "next/dynamic";

/**
 * The temporary-password screen (./temporary-password.tsx) in a chunk of its own. The chat layout decides on the server
 * whether to show it (rarely: after an admin reset the password), and a client component that a layout imports
 * directly is part of every page under it, here with the form's validation schemas (zod). Server-rendered as before;
 * the browser loads the chunk only on the pages that show it.
 */
export const TemporaryPasswordScreen = dynamic(() => import("./temporary-password").then((m) => m.TemporaryPasswordScreen));
