import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import { Providers } from "@/components/providers";
import "./globals.css";

export const metadata: Metadata = {
  title: "Parley",
  description: "Conversations, in real time.",
};

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#09090b" },
  ],
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page is rendered per request: its scripts must carry that request's CSP nonce (proxy.ts), which a page
  // prerendered at build time cannot.
  await connection();
  return (
    <html lang="en">
      {/* relative: iOS Safari's dialog backdrops are `absolute` (components/ui/dialog.tsx) and need it to follow scrolling. */}
      <body className="relative min-h-dvh bg-white font-sans text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
