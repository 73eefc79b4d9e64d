-- AlterTable
ALTER TABLE "apps" ADD COLUMN     "one_off_count" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "dynos" ADD COLUMN     "env" TEXT;
