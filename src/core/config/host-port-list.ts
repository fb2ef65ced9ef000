/**
 * A list of `host:port` pairs as configured (`FETCH_ALLOWED_HOSTS`): parsed with the WHATWG URL parser, so every
 * spelling of a host (`127.1:8080`, `127.0.0.1:8080`) gives the same entry. Lives with the configuration because the
 * configuration is validated with it at start-up; the fetcher matches connections against the same keys.
 */

/** Parses a comma-separated list (or an array) of `host:port`; throws a message naming the bad entry. */
export function parseHostPortList(input: readonly string[] | string): ReadonlySet<string> {
  const entries = (typeof input === 'string' ? input.split(',') : input)
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const keys = new Set<string>();
  for (const entry of entries) {
    let url: URL;
    try {
      url = new URL(`http://${entry}`);
    } catch (error) {
      throw new Error(`"${entry}" is not a host:port pair`, { cause: error });
    }
    if (
      url.pathname !== '/' ||
      url.search !== '' ||
      url.hash !== '' ||
      url.username !== '' ||
      url.password !== ''
    ) {
      throw new Error(`"${entry}" must be only host:port`);
    }
    if (url.port === '' && !/:80$/.test(entry)) {
      throw new Error(`"${entry}" needs a port (host:port)`);
    }
    keys.add(hostKey(url.hostname, url.port === '' ? 80 : Number(url.port)));
  }
  return keys;
}

/** The key a host and port are matched by. */
export function hostKey(hostname: string, port: number): string {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return `${bare.toLowerCase()}|${port}`;
}
