/** The akashgen client package: the zod contract, the typed tRPC client and generateImage(). */
export * from '@akashgen/contract'
/** The gateway's tRPC router type, for `createTRPCClient<AppRouter>` and tRPC's own helpers. */
export type { AppRouter } from '@akashgen/server/router'
export { AkashGenError, toAkashGenError } from './errors.ts'
export { type GeneratedImage, type GenerateImageOptions, generateImage } from './generate-image.ts'
export {
  type AkashGenClient,
  type AkashGenClientOptions,
  createAkashGenClient,
  type EventSourceClass,
  type HeadersOption,
} from './trpc-client.ts'
