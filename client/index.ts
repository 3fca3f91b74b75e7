/** The akashgen client package: the zod contract, the typed tRPC client and generateImage(). */
export * from '@akashgen/contract'
export { AkashGenError, toAkashGenError } from './errors.ts'
export { type GeneratedImage, type GenerateImageOptions, generateImage } from './generate-image.ts'
export {
  type AkashGenClient,
  type AkashGenClientOptions,
  type AppRouter,
  createAkashGenClient,
  type EventSourceClass,
  type HeadersOption,
} from './trpc-client.ts'
