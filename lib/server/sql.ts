import { getPrisma } from "../db";
import { Prisma, type PrismaClient } from "../generated/prisma/client";

/** The client or an interactive transaction: the domain functions take either. */
export type Db = PrismaClient | Prisma.TransactionClient;

export { Prisma, getPrisma };
