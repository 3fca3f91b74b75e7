/** SSRF guard for webhook URLs: resolve the host once, refuse non-public addresses, and pin the one checked. */
import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'
import { GatewayError } from '../errors.ts'

/** A checked destination: the URL, and the address the connection must go to (no second DNS answer). */
export interface Destination {
  url: URL
  address: string
  family: 4 | 6
}

/** Longest wait for a DNS answer. */
const DNS_TIMEOUT_MS = 5000

/** Ranges no webhook may reach unless its host is allowed: private, loopback, link-local, reserved and the like. */
function blockedRanges(): BlockList {
  const list = new BlockList()
  const v4: [string, number][] = [
    ['0.0.0.0', 8], // "this network", including the unspecified 0.0.0.0
    ['10.0.0.0', 8],
    ['100.64.0.0', 10], // carrier-grade NAT
    ['127.0.0.0', 8],
    ['169.254.0.0', 16], // link-local, cloud metadata services
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4], // multicast
    ['240.0.0.0', 4], // reserved and broadcast
  ]
  const v6: [string, number][] = [
    ['::', 96], // unspecified, loopback and IPv4-compatible (IPv4-mapped ones are checked as IPv4 by BlockList)
    ['64:ff9b::', 96], // NAT64: any IPv4 address, private ones included
    ['100::', 64],
    ['2001:db8::', 32],
    ['2002::', 16], // 6to4: any IPv4 address
    ['fc00::', 7], // unique local
    ['fe80::', 10], // link-local
    ['fec0::', 10],
    ['ff00::', 8], // multicast
  ]
  for (const [network, prefix] of v4) list.addSubnet(network, prefix, 'ipv4')
  for (const [network, prefix] of v6) list.addSubnet(network, prefix, 'ipv6')
  return list
}

/** INVALID_REQUEST naming `webhook.url`, as the contract's own checks do. */
function refusedUrl(reason: string, url: string): GatewayError {
  const message = `webhook.url ${reason}`
  return new GatewayError('INVALID_REQUEST', `invalid request: ${message}`, {
    details: { formErrors: [], fieldErrors: { 'webhook.url': [message] }, url: url.slice(0, 200) },
  })
}

/** Checks webhook destinations against the blocked ranges, except hosts listed in AKASHGEN_WEBHOOK_ALLOW_HOSTS. */
export class Destinations {
  readonly #blocked = blockedRanges()
  readonly #allowed: ReadonlySet<string>

  constructor(allowHosts: readonly string[]) {
    this.#allowed = new Set(allowHosts)
  }

  /** Resolves `url` and checks every address it names; throws INVALID_REQUEST naming `webhook.url` if refused. */
  async resolve(url: string): Promise<Destination> {
    const parsed = new URL(url)
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw refusedUrl('must be an http:// or https:// URL', url)
    // The URL parser has already normalised odd IPv4 forms (`0x7f.1`, `2130706433`) to dotted quads.
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase()
    const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolveHost(host, url)
    if (!this.#allowed.has(host)) {
      // Every address must be public: a host answering one public and one private address is refused.
      const blocked = addresses.find(({ address, family }) =>
        this.#blocked.check(address, family === 6 ? 'ipv6' : 'ipv4'),
      )
      if (blocked)
        throw refusedUrl(
          `points to ${blocked.address}, a private, loopback or link-local address (allow its host with AKASHGEN_WEBHOOK_ALLOW_HOSTS)`,
          url,
        )
    }
    const [first] = addresses
    if (!first) throw refusedUrl(`host ${host} has no address`, url)
    return { url: parsed, address: first.address, family: first.family === 6 ? 6 : 4 }
  }
}

/** Every address of `host`, or INVALID_REQUEST when it does not resolve within DNS_TIMEOUT_MS. */
async function resolveHost(host: string, url: string): Promise<{ address: string; family: number }[]> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no DNS answer within ${DNS_TIMEOUT_MS} ms`)), DNS_TIMEOUT_MS)
  })
  try {
    return await Promise.race([lookup(host, { all: true, verbatim: true }), timeout])
  } catch (error) {
    throw refusedUrl(`host ${host} does not resolve: ${(error as Error).message}`, url)
  } finally {
    clearTimeout(timer)
  }
}
