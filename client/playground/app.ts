/** The playground page: a generate form, live progress from `jobEvents`, the image, and this browser's last jobs. */
import {
  type AkashGenError,
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
    const image = await generateImage(input, {
      url: gateway.href,
      onStatus: (job) => {
        progress.show(job)
        remember(job)
      },
    })
    await showImage(image)
  } catch (error) {
    if (!accepted) progress.hide()
    showError(toAkashGenError(error))
  } finally {
    progress.stop()
    page.generate.disabled = false
    page.generate.textContent = 'Generate'
  }
}

/** Shows the finished image from the gateway's URL (the download just made it a cache hit) and its link. */
async function showImage({ job, contentType, bytes }: GeneratedImage): Promise<void> {
  const url = new URL(imagePath(job.jobId), gateway).href
  page.image.src = url
  page.image.alt = page.prompt.value.trim()
  await page.image.decode().catch(() => {})
  const size = `${page.image.naturalWidth}×${page.image.naturalHeight}`
  page.imageInfo.textContent = `${size} · ${contentType} · ${(bytes.byteLength / 1024).toFixed(1)} KiB`
  page.download.href = url
  page.download.download = `akashgen-${job.jobId}.${EXTENSIONS[contentType] ?? 'img'}`
  page.result.hidden = false
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
  const length = page.prompt.value.length
  page.promptCount.textContent = `${length} / ${MAX_PROMPT_LENGTH}`
  page.promptCount.classList.toggle('over', length > MAX_PROMPT_LENGTH)
}

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
