// Starts one emulator on a real socket and hands back its URL, counters, knobs, jobs and close().
import { createServer } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { EmulatorContext } from './context.ts'
import { createCounters, type EmulatorCounters, resetCounters } from './counters.ts'
import { createRequestListener } from './http/router.ts'
import { ImageStore } from './images/store.ts'
import { JobBook } from './jobs/book.ts'
import { type EmulatorJobView, viewOf } from './jobs/record.ts'
import { defaultOptions, type EmulatorOptions, mergeOptions } from './options.ts'
import { TimerSet } from './timers.ts'

/** A running emulator. */
export interface Emulator {
  /** Origin without a trailing slash, e.g. http://127.0.0.1:41234. */
  url: string
  port: number
  /** Live counters: the same object for the emulator's whole life. */
  counters: EmulatorCounters
  /** Zeroes the counters (inFlight keeps the jobs still running). */
  resetCounters(): void
  /** Changes knobs and faults at run time; port and host only apply at start. */
  configure(patch: Partial<EmulatorOptions>): void
  /** Every job it knows, oldest first. */
  jobs(): EmulatorJobView[]
  /** Closes the server, clears every timer and destroys open (even hung) sockets. */
  close(): Promise<void>
}

/** Starts an emulator; options not given take their defaults. Throws a TypeError for a bad option. */
export async function startEmulator(options: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  let current = mergeOptions(defaultOptions(), options)
  const counters = createCounters()
  const timers = new TimerSet()
  const images = new ImageStore()
  const jobs = new JobBook({ options: () => current, counters, images, timers })
  const configure = (patch: Partial<EmulatorOptions>) => {
    current = mergeOptions(current, patch)
    jobs.pump()
  }
  const ctx: EmulatorContext = { options: () => current, configure, counters, jobs, images, timers }

  const server = createServer(createRequestListener(ctx))
  const sockets = new Set<Socket>()
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(current.port, current.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const host = current.host.includes(':') ? `[${current.host}]` : current.host

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      timers.clear()
      server.close(() => resolve())
      for (const socket of sockets) socket.destroy()
      images.clear()
    })
    return closing
  }

  return {
    url: `http://${host}:${port}`,
    port,
    counters,
    resetCounters: () => resetCounters(counters),
    configure,
    jobs: () => jobs.list().map((job) => viewOf(job, current.unknownStatus)),
    close,
  }
}
