/** A redis-server of a test's own (or the test run's), on a free loopback port, with its data in a temp dir. */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { freePort } from '../../bench/free-port.ts'

/** A redis-server of a test's own (appendonly, fsync always), which the test may stop and start again. */
export interface OwnRedis {
  url: string
  /** Shuts the server down (its data is on disk) and waits for it to exit. */
  stop(): Promise<void>
  /** Starts it again on the same port and data directory; resolves once it answers. */
  start(): Promise<void>
}

/** Starts a redis-server on a free loopback port, keeping its data in a fresh temporary directory. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'akashgen-redis-'))
  const port = await freePort()
  const url = `redis://127.0.0.1:${port}`
  let server: ChildProcess | undefined
  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes']
    server = spawn('redis-server', [...args, '--appendfsync', 'always', '--dir', dir], { stdio: 'ignore' })
    for (let attempt = 0; ; attempt++) {
      const probe = new Redis(url, { retryStrategy: () => null, lazyConnect: true, maxRetriesPerRequest: 0 })
      probe.on('error', () => {})
      try {
        await probe.connect()
        if ((await probe.ping()) === 'PONG') return
      } catch (error) {
        if (attempt > 100) throw error
        await new Promise((resolve) => setTimeout(resolve, 50))
      } finally {
        probe.disconnect()
      }
    }
  }
  const stop = async () => {
    const running = server
    if (!running || running.exitCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGTERM')
    await exited
  }
  await start()
  return { url, start, stop }
}
