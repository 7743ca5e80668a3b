import { getPrisma } from "../db";
import { Prisma, type PrismaClient } from "../generated/prisma/client";

/** The client or an interactive transaction: the domain functions take either. */
export type Db = PrismaClient | Prisma.TransactionClient;

export { Prisma, getPrisma };

/**
 * Escapes LIKE/ILIKE wildcards (`%`, `_`) and the escape character itself, so user text matches literally
 * (PostgreSQL's default LIKE escape character is the backslash).
 */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, "\\$&");
