/** Where the job is: its place in line, the worker that took it, the time since it was accepted. */
import type { JobProgress } from '@akashgen/react'

/** The progress panel; a fresh event re-renders it. */
export function Progress({ progress }: { progress: JobProgress }) {
  const { queuePosition, worker, elapsedMs } = progress
  return (
    <dl id="progress">
      <dt>Place in line</dt>
      <dd id="queue-position">{queuePosition}</dd>
      <dt>Worker</dt>
      <dd id="worker">{worker ? `${worker.name} · ${worker.gpu}` : 'not assigned yet'}</dd>
      <dt>Elapsed</dt>
      <dd id="elapsed">{(elapsedMs / 1000).toFixed(1)} s</dd>
    </dl>
  )
}
