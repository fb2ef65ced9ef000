import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { hostKey, parseHostPortList } from '../core/config/host-port-list';
import { withDeadline } from '../core/runtime/with-deadline';
import { classifyAddress } from './address-classifier';

/** One address a host name resolved to. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves a host name to every address it has; replaceable so tests can map invented names to loopback. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface SafeAgentOptions {
  /**
   * DANGEROUS: `host:port` pairs connected to even when they resolve to non-public addresses (tests, private
   * deployments). An array, or the comma-separated `FETCH_ALLOWED_HOSTS` string. Matched after URL normalization, so
   * `127.1:8080` and `127.0.0.1:8080` are the same entry; the port must be given.
   */
  readonly allowedHosts?: readonly string[] | string;
  /** TCP (and TLS) connect timeout per connection, also the DNS lookup timeout. */
  readonly connectTimeoutMs: number;
  /** undici's per-request header and body timeouts (each request also has its own overall deadline). */
  readonly timeoutMs: number;
  readonly resolve?: Resolver;
}

/** Thrown by the connector when a host resolves to an address we refuse; turned into a ContentFetchError. */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';

  constructor(
    readonly hostname: string,
    readonly port: number,
    readonly address: string,
    readonly range: string,
  ) {
    super(`${hostname}:${port} resolves to ${address} (${range}), which is not a public address`);
  }
}

const defaultResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * An undici Agent that cannot be turned against our own network (SSRF), for every outbound request to a URL a user
 * gave us (pages to summarize, webhook callbacks).
 *
 * The check and the connection cannot disagree: the connector itself resolves the host (once), refuses the connection
 * if ANY resolved address is not public (unless `host:port` is allow-listed), and then connects to the checked IP
 * (TLS still verifies the certificate against the host name via `servername`). There is no second DNS lookup a
 * rebinding attacker could answer differently, and IP literals in any spelling go through the same check because
 * WHATWG URL parsing has already turned `2130706433`, `0x7f000001`, `0177.0.0.1` and `127.1` into `127.0.0.1`.
 */
export function createSafeAgent(options: SafeAgentOptions): Agent {
  const allowed = parseHostPortList(options.allowedHosts ?? []);
  const resolve = options.resolve ?? defaultResolver;
  const connect = buildConnector({ timeout: options.connectTimeoutMs });

  /** Resolves `hostname` once and returns the address to connect to, or throws if it is not allowed. */
  const checkedAddress = async (hostname: string, port: number): Promise<string> => {
    const family = isIP(hostname);
    const addresses =
      family !== 0
        ? [{ address: hostname, family }]
        : await withDeadline(resolve(hostname), options.connectTimeoutMs, () =>
            Object.assign(new Error(`DNS lookup of ${hostname} timed out`), { code: 'EAI_AGAIN' }),
          );
    if (addresses.length === 0) {
      throw Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND', hostname });
    }
    if (!allowed.has(hostKey(hostname, port))) {
      // One bad address is enough: a name that also resolves to an internal address is an attack or a
      // misconfiguration, and the OS could pick any of them on a later connection.
      for (const { address } of addresses) {
        const verdict = classifyAddress(address);
        if (!verdict.public) throw new BlockedAddressError(hostname, port, address, verdict.range);
      }
    }
    return addresses[0].address;
  };

  return new Agent({
    connect: (connectOptions, callback) => {
      const https = connectOptions.protocol === 'https:';
      const port = connectOptions.port === '' ? (https ? 443 : 80) : Number(connectOptions.port);
      checkedAddress(connectOptions.hostname, port).then(
        (address) =>
          connect(
            {
              ...connectOptions,
              hostname: address,
              // SNI and certificate checks must use the name, not the IP we pinned; IP literals send no SNI.
              servername: https && isIP(connectOptions.hostname) === 0 ? connectOptions.hostname : undefined,
            },
            callback,
          ),
        (error: Error) => callback(error, null),
      );
    },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    // A server can advertise keep-alive forever; we talk to any one site rarely.
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 10_000,
  });
}
