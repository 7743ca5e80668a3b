"use client";

import { isServer, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { Toaster } from "sonner";

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      // Server-prefetched data is fresh on arrival; polling (and later live events) keeps it current.
      queries: { staleTime: 2_000, refetchOnWindowFocus: true },
    },
  });
}

let browserClient: QueryClient | undefined;

/**
 * One QueryClient per browser tab (and a fresh one per server render), as TanStack Query's
 * "Advanced Server Rendering" guide prescribes for the App Router.
 */
function getQueryClient() {
  if (isServer) return makeQueryClient();
  browserClient ??= makeQueryClient();
  return browserClient;
}

export function Providers({ children }: { children: React.ReactNode }) {
  const client = getQueryClient();
  return (
    <QueryClientProvider client={client}>
      {/* Dialogs and menus (components/ui) are portalled to <body>: a stacking context of its own keeps the page, and
          any z-index in it, under them (Base UI's quick start). Toasts stay outside it, above an open dialog. */}
      <div className="isolate">{children}</div>
      {/* Top: at the bottom a toast would cover the composer and the newest messages (and their Retry). Its landmark is
          named apart from the API reference's own toaster (Scalar's), which is "Notifications" too. */}
      <Toaster position="top-center" richColors closeButton containerAriaLabel="Parley notifications" />
    </QueryClientProvider>
  );
}
