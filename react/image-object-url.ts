/** The image of a succeeded job as an object URL, downloaded once and revoked when no longer shown. */
import { type AkashGenError, type Job, toAkashGenError } from '@akashgen/client'
import { useEffect, useState } from 'react'
import { downloadImage, useGateway } from './gateway.ts'

interface Downloaded {
  imageUrl: string
  url?: string
  error?: AkashGenError
}

/** The object URL (or the download's error) of `job`'s image; undefined until it succeeded and downloaded. */
export function useImageObjectUrl(job: Job | undefined): { url?: string; error: AkashGenError | null } {
  const gateway = useGateway()
  const imageUrl = job?.status === 'succeeded' ? job.imageUrl : undefined
  const [downloaded, setDownloaded] = useState<Downloaded>()
  useEffect(() => {
    if (!imageUrl) return
    const abort = new AbortController()
    let objectUrl: string | undefined
    downloadImage(gateway, imageUrl, abort.signal).then(
      (blob) => {
        if (abort.signal.aborted) return
        objectUrl = URL.createObjectURL(blob)
        setDownloaded({ imageUrl, url: objectUrl })
      },
      (error: unknown) => {
        if (!abort.signal.aborted) setDownloaded({ imageUrl, error: toAkashGenError(error) })
      },
    )
    // Runs on unmount and when the job (so its image) changes: the blob is released with its URL.
    return () => {
      abort.abort()
      if (objectUrl) URL.revokeObjectURL(objectUrl)
    }
  }, [gateway, imageUrl])
  // A download of an earlier image may still be in state for a render: only this job's counts.
  const current = downloaded && downloaded.imageUrl === imageUrl ? downloaded : undefined
  return { url: current?.url, error: current?.error ?? null }
}
