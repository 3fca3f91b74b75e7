/** @akashgen/react: React hooks for the akashgen gateway, on TanStack Query and tRPC's TanStack integration. */
export { AkashGenError } from '@akashgen/client'
export { type FieldErrors, fieldErrorsOf } from './field-errors.ts'
export { AkashGenProvider, type AkashGenProviderProps } from './provider.tsx'
export { useAkashGenClient, useAkashGenTRPC } from './trpc.ts'
export {
  type GenerateImageState,
  type GenerateStatus,
  type UseGenerateImageOptions,
  useGenerateImage,
} from './use-generate-image.ts'
export { type JobProgress, type JobState, useJob } from './use-job.ts'
