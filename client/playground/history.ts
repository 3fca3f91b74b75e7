/** This browser's last jobs, kept in localStorage so they survive a reload; each links to its image. */
import type { JobStatus } from '@akashgen/contract'

/** One remembered job. */
export interface HistoryEntry {
  jobId: string
  prompt: string
  status: JobStatus
  createdAt: string
}

const STORAGE_KEY = 'akashgen.playground.history'

/** How many jobs are remembered. */
const HISTORY_LIMIT = 10

/** The remembered jobs, newest first; an unreadable store counts as empty. */
export function loadHistory(): HistoryEntry[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]')
    return Array.isArray(stored) ? stored.filter(isEntry).slice(0, HISTORY_LIMIT) : []
  } catch {
    return []
  }
}

/** Adds the job, or updates it when it is already there, keeping the newest HISTORY_LIMIT. */
export function rememberJob(entry: HistoryEntry): HistoryEntry[] {
  const entries = loadHistory()
  const index = entries.findIndex((known) => known.jobId === entry.jobId)
  if (index < 0) entries.unshift(entry)
  else entries[index] = entry
  const kept = entries.slice(0, HISTORY_LIMIT)
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(kept))
  } catch {
    // Storage full or disabled (private mode): the list still shows for this visit.
  }
  return kept
}

/** Where a job's image is, relative to the page (the gateway keeps it for its retention time). */
export function imagePath(jobId: string): string {
  return `api/jobs/${encodeURIComponent(jobId)}/image`
}

/** Renders the list: succeeded jobs link to their image, the others show how they ended. */
export function renderHistory(list: HTMLOListElement, empty: HTMLElement, entries: HistoryEntry[]): void {
  empty.hidden = entries.length > 0
  list.replaceChildren(
    ...entries.map((entry) => {
      const item = document.createElement('li')
      item.dataset.jobId = entry.jobId
      const title =
        entry.status === 'succeeded' ? document.createElement('a') : document.createElement('span')
      if (title instanceof HTMLAnchorElement) title.href = imagePath(entry.jobId)
      title.className = 'prompt'
      title.textContent = entry.prompt
      title.title = entry.prompt
      const meta = document.createElement('span')
      meta.className = `meta status-${entry.status}`
      meta.textContent = `${entry.status} · ${new Date(entry.createdAt).toLocaleString()}`
      item.append(title, meta)
      return item
    }),
  )
}

function isEntry(value: unknown): value is HistoryEntry {
  const entry = value as Partial<HistoryEntry> | null
  return (
    typeof entry?.jobId === 'string' &&
    typeof entry.prompt === 'string' &&
    typeof entry.status === 'string' &&
    typeof entry.createdAt === 'string'
  )
}
