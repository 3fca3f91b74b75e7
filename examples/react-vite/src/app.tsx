/** The example app: a prompt form, the job's live progress and image, cancel, and this browser's history. */
import { fieldErrorsOf, useAkashGenTRPC, useGenerateImage } from '@akashgen/react'
import { useQuery } from '@tanstack/react-query'
import { type FormEvent, useEffect, useState } from 'react'
import { History } from './history.tsx'
import { Progress } from './progress.tsx'
import { useHistory } from './use-history.ts'

/** The whole page. */
export function App() {
  const trpc = useAkashGenTRPC()
  const health = useQuery(trpc.health.queryOptions())
  const { generate, cancel, reset, status, job, progress, imageUrl, error } = useGenerateImage()
  const [prompt, setPrompt] = useState('')
  const history = useHistory()
  const promptErrors = fieldErrorsOf(error).prompt
  const busy = status === 'submitting' || status === 'queued' || status === 'running'

  const { remember } = history
  useEffect(() => {
    if (job) remember(job, prompt)
  }, [job, prompt, remember])

  const submit = (event: FormEvent) => {
    event.preventDefault()
    generate({ prompt })
  }
  return (
    <main>
      <h1>akashgen</h1>
      <p id="gateway" data-status={health.data?.status ?? 'unknown'}>
        gateway: {health.data?.status ?? (health.isError ? 'unreachable' : '…')}
      </p>
      <form onSubmit={submit}>
        <label htmlFor="prompt">Prompt</label>
        <textarea
          id="prompt"
          value={prompt}
          onChange={(event) => setPrompt(event.target.value)}
          aria-invalid={promptErrors ? true : undefined}
        />
        {promptErrors && <p id="prompt-error">{promptErrors.join('; ')}</p>}
        <button id="generate" type="submit" disabled={busy}>
          Generate
        </button>
        <button id="cancel" type="button" onClick={cancel} disabled={!busy}>
          Cancel
        </button>
        <button id="reset" type="button" onClick={reset} disabled={busy || status === 'idle'}>
          Clear
        </button>
      </form>
      <p id="status" data-status={status}>
        {status}
      </p>
      {progress && <Progress progress={progress} />}
      {error && (
        <p id="error">
          <code id="error-code">{error.code}</code> <span id="error-message">{error.message}</span>
        </p>
      )}
      {imageUrl && <img id="image" src={imageUrl} alt={prompt} />}
      <History entries={history.entries} />
    </main>
  )
}
