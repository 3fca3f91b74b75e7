/** `akashgen --webhook URL`: the CLI passes the webhook with its generate request. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { runCli } from '../cli/run-cli.ts'
import { useGatewayHarness } from '../support/harness.ts'
import { newWebhookSecret, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts'
import { FAST_RETRIES, receivedAtLeast } from './support.ts'

const harness = useGatewayHarness()
let receiver: WebhookReceiver | undefined
let folder = ''
afterEach(async () => {
  await receiver?.close()
  if (folder) await rm(folder, { recursive: true, force: true })
})

it('akashgen --webhook URL: the receiver gets the verified job.succeeded of the job the CLI made', async () => {
  const secret = newWebhookSecret()
  receiver = await startWebhookReceiver(secret)
  const gateway = await harness.openGateway({ AKASHGEN_WEBHOOK_SECRET: secret, ...FAST_RETRIES })
  folder = await mkdtemp(join(tmpdir(), 'akashgen-cli-webhook-'))
  const run = runCli(['a lake told by webhook', '--webhook', receiver.url, '--json', '-o', 'lake.webp'], {
    cwd: folder,
    env: { AKASHGEN_URL: gateway.url },
  })
  expect((await run.exited).code).toBe(0)
  const job = JSON.parse(run.stdout().toString('utf8')) as { jobId: string }
  await receivedAtLeast(receiver, 1)
  expect(receiver.received[0]?.payload).toMatchObject({ type: 'job.succeeded', data: { jobId: job.jobId } })
})
