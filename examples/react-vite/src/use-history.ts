/** This browser's last jobs, kept in localStorage so they survive a reload. */
import type { Job, JobStatus } from '@akashgen/client'
import { useCallback, useState } from 'react'

/** One remembered job. */
export interface HistoryEntry {
  jobId: string
  prompt: string
  status: JobStatus
}

const STORAGE_KEY = 'akashgen.react-example.history'
const LIMIT = 10

function load(): HistoryEntry[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]')
    return Array.isArray(stored) ? (stored as HistoryEntry[]).slice(0, LIMIT) : []
  } catch {
    return []
  }
}

/** The remembered jobs, newest first, and `remember(job, prompt)` to add or update one. */
export function useHistory() {
  const [entries, setEntries] = useState(load)
  const remember = useCallback((job: Job, prompt: string) => {
    setEntries((known) => {
      const entry = { jobId: job.jobId, prompt, status: job.status }
      const rest = known.filter((other) => other.jobId !== job.jobId)
      const old = known.find((other) => other.jobId === job.jobId)
      const next = [{ ...entry, prompt: old?.prompt ?? prompt }, ...rest].slice(0, LIMIT)
      localStorage.setItem(STORAGE_KEY, JSON.stringify(next))
      return next
    })
  }, [])
  return { entries, remember }
}
