/** The playground page: a generate form, live progress from `jobEvents`, the image, and this browser's last jobs. */
import {
  AkashGenError,
  characterCount,
  type ErrorCode,
  type GeneratedImage,
  type GenerateInput,
  generateImage,
  type Job,
  MAX_PROMPT_LENGTH,
  toAkashGenError,
} from '../index.ts'
import { describeDefaultScheduler, fillSamplers, fillSchedulers } from './choices.ts'
import { imagePath, loadHistory, rememberJob, renderHistory } from './history.ts'
import { ProgressView } from './progress.ts'

/** The form fields the contract can report errors for. */
const FIELDS = ['prompt', 'negative', 'sampler', 'scheduler'] as const

const EXTENSIONS: Record<string, string> = { 'image/webp': 'webp', 'image/png': 'png', 'image/jpeg': 'jpg' }

function element<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const found = document.getElementById(id)
  if (!(found instanceof type)) throw new Error(`the page has no #${id} ${type.name}`)
  return found
}

const page = {
  form: element('generate-form', HTMLFormElement),
  apiKey: element('api-key', HTMLInputElement),
  prompt: element('prompt', HTMLTextAreaElement),
  promptCount: element('prompt-count', HTMLElement),
  negative: element('negative', HTMLTextAreaElement),
  sampler: element('sampler', HTMLSelectElement),
  scheduler: element('scheduler', HTMLSelectElement),
  generate: element('generate', HTMLButtonElement),
  error: element('error', HTMLElement),
  errorMessage: element('error-message', HTMLElement),
  errorCode: element('error-code', HTMLElement),
  result: element('result', HTMLElement),
  image: element('image', HTMLImageElement),
  imageInfo: element('image-info', HTMLElement),
  download: element('download', HTMLAnchorElement),
  historyList: element('history-list', HTMLOListElement),
  historyEmpty: element('history-empty', HTMLElement),
}

const progress = new ProgressView({
  panel: element('progress', HTMLElement),
  status: element('status', HTMLElement),
  queuePosition: element('queue-position', HTMLElement),
  worker: element('worker', HTMLElement),
  elapsed: element('elapsed', HTMLElement),
  events: element('events', HTMLOListElement),
})

/** The gateway serving this page: the tRPC API and the images are next to it. */
const gateway = new URL('.', document.baseURI)

/** Where the page keeps the API key the user typed (this browser only). */
const API_KEY_STORAGE = 'akashgen.apiKey'

/** The key typed in the page, if any. */
function apiKey(): string | undefined {
  return page.apiKey.value.trim() || undefined
}

/** The image on show, as a blob: URL of bytes fetched with the key; revoked when the next one replaces it. */
let shownImageUrl: string | undefined

/** Submits the form's request and follows it to its image, or to the gateway's error. */
async function generate(): Promise<void> {
  clearErrors()
  page.generate.disabled = true
  page.generate.textContent = 'Generating…'
  page.result.hidden = true
  progress.start()
  const input: GenerateInput = {
    prompt: page.prompt.value,
    negative: page.negative.value,
    sampler: page.sampler.value,
    ...(page.scheduler.value ? { scheduler: page.scheduler.value } : {}),
  }
  let accepted = false
  const remember = (job: Job) => {
    accepted = true
    const entry = {
      jobId: job.jobId,
      prompt: input.prompt.trim(),
      status: job.status,
      createdAt: job.createdAt,
    }
    renderHistory(page.historyList, page.historyEmpty, rememberJob(entry))
  }
  try {
    const key = apiKey()
    const image = await generateImage(input, {
      url: gateway.href,
      ...(key ? { apiKey: key } : {}),
      onStatus: (job) => {
        progress.show(job)
        remember(job)
      },
    })
    await showImage(image, key !== undefined)
  } catch (error) {
    if (!accepted) progress.hide()
    showError(toAkashGenError(error))
  } finally {
    progress.stop()
    page.generate.disabled = false
    page.generate.textContent = 'Generate'
  }
}

/**
 * Shows the finished image and its download link. Without a key they are the gateway's URL (the download just
 * made it a cache hit); with one they are a blob: URL of the bytes generateImage downloaded, since an `<img>`
 * or a link can not send the key.
 */
async function showImage({ job, contentType, bytes }: GeneratedImage, withKey: boolean): Promise<void> {
  if (shownImageUrl) URL.revokeObjectURL(shownImageUrl)
  shownImageUrl = withKey
    ? URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: contentType }))
    : undefined
  const url = shownImageUrl ?? new URL(imagePath(job.jobId), gateway).href
  page.image.src = url
  page.image.alt = page.prompt.value.trim()
  await page.image.decode().catch(() => {})
  const size = `${page.image.naturalWidth}×${page.image.naturalHeight}`
  page.imageInfo.textContent = `${size} · ${contentType} · ${(bytes.byteLength / 1024).toFixed(1)} KiB`
  page.download.href = url
  page.download.download = `akashgen-${job.jobId}.${EXTENSIONS[contentType] ?? 'img'}`
  page.result.hidden = false
}

/** With a key, a history link's image is fetched with it and shown here: following the link would be refused. */
async function showStoredImage(link: HTMLAnchorElement, jobId: string, key: string): Promise<void> {
  clearErrors()
  try {
    const response = await fetch(link.href, { headers: { authorization: `Bearer ${key}` } })
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: string; code?: ErrorCode }
      throw new AkashGenError(body.code ?? 'UPSTREAM_ERROR', body.error ?? `HTTP ${response.status}`)
    }
    const bytes = new Uint8Array(await response.arrayBuffer())
    const contentType = response.headers.get('content-type') ?? 'application/octet-stream'
    const job = { jobId, status: 'succeeded' } as Job
    page.prompt.value = link.textContent ?? ''
    countPrompt()
    await showImage({ job, contentType, bytes }, true)
  } catch (error) {
    showError(toAkashGenError(error))
  }
}

/** Shows the gateway's own message, and each field's problems next to the field. */
function showError(error: AkashGenError): void {
  page.errorMessage.textContent = error.message
  page.errorCode.textContent = error.code
  page.error.hidden = false
  const fieldErrors = (error.details as { fieldErrors?: Record<string, string[] | undefined> } | undefined)
    ?.fieldErrors
  for (const field of FIELDS) {
    const problems = fieldErrors?.[field]
    if (!problems?.length) continue
    const note = element(`${field}-error`, HTMLElement)
    note.textContent = problems.join('; ')
    note.hidden = false
    page[field].setAttribute('aria-invalid', 'true')
  }
}

function clearErrors(): void {
  page.error.hidden = true
  for (const field of FIELDS) {
    element(`${field}-error`, HTMLElement).hidden = true
    page[field].removeAttribute('aria-invalid')
  }
}

function countPrompt(): void {
  // Counted as the contract counts: code points after NFC and trimming (an emoji is one character).
  const length = characterCount(page.prompt.value.normalize('NFC').trim())
  page.promptCount.textContent = `${length} / ${MAX_PROMPT_LENGTH}`
  page.promptCount.classList.toggle('over', length > MAX_PROMPT_LENGTH)
}

page.apiKey.value = localStorage.getItem(API_KEY_STORAGE) ?? ''
page.apiKey.addEventListener('change', () => {
  const key = apiKey()
  if (key) localStorage.setItem(API_KEY_STORAGE, key)
  else localStorage.removeItem(API_KEY_STORAGE)
})
page.historyList.addEventListener('click', (event) => {
  const link = (event.target as Element | null)?.closest('a.prompt')
  const jobId = link?.closest('li')?.dataset.jobId
  const key = apiKey()
  if (!(link instanceof HTMLAnchorElement) || !jobId || !key) return
  event.preventDefault()
  void showStoredImage(link, jobId, key)
})
fillSamplers(page.sampler)
fillSchedulers(page.scheduler)
describeDefaultScheduler(page.scheduler, page.sampler.value)
page.sampler.addEventListener('change', () => describeDefaultScheduler(page.scheduler, page.sampler.value))
page.prompt.addEventListener('input', countPrompt)
countPrompt()
renderHistory(page.historyList, page.historyEmpty, loadHistory())
page.form.addEventListener('submit', (event) => {
  event.preventDefault()
  if (!page.generate.disabled) void generate()
})
page.form.dataset.ready = 'true'
