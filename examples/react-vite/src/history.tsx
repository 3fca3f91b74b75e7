/** The history list; each entry opens its job with useJob (a job from an earlier visit, or another tab). */
import { useJob } from '@akashgen/react'
import { useState } from 'react'
import type { HistoryEntry } from './use-history.ts'

/** The remembered jobs, newest first; "show" follows one by its id. */
export function History({ entries }: { entries: HistoryEntry[] }) {
  const [shown, setShown] = useState<string>()
  return (
    <section id="history">
      <h2>History</h2>
      <ol id="history-list">
        {entries.map((entry) => (
          <li key={entry.jobId} data-job-id={entry.jobId}>
            <span className="prompt">{entry.prompt}</span> <span className="meta">{entry.status}</span>{' '}
            <button type="button" onClick={() => setShown(entry.jobId)}>
              show
            </button>
          </li>
        ))}
      </ol>
      {shown && <ShownJob jobId={shown} />}
    </section>
  )
}

/** One earlier job, followed by id. */
function ShownJob({ jobId }: { jobId: string }) {
  const { status, imageUrl, error } = useJob(jobId)
  return (
    <figure id="shown-job" data-status={status ?? 'loading'}>
      {imageUrl && <img id="shown-image" src={imageUrl} alt={jobId} />}
      <figcaption>
        {jobId}: {error ? `${error.code}: ${error.message}` : (status ?? 'loading')}
      </figcaption>
    </figure>
  )
}
