import { BlockList, isIP } from 'node:net';

/** The IPv4 address inside an IPv4-mapped IPv6 one (`::ffff:10.0.0.1`), else the address. */
function plain(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/** An IPv6 address's first four groups (its /64: what one customer line is usually given). */
function prefix64(address: string): string {
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Whether a socket peer is one of `trusted` (addresses or CIDR ranges of the proxies in front). */
export function createProxyCheck(trusted: readonly string[]): (peer: string | undefined) => boolean {
  const proxies = new BlockList();
  for (const entry of trusted) {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) proxies.addAddress(address, family);
    else proxies.addSubnet(address, Number(bits), family);
  }
  return (peer) => {
    const address = plain(peer ?? '');
    const family = isIP(address);
    return family !== 0 && proxies.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/**
 * Who a request comes from, for per-client limits: the socket's peer, unless that peer is one of
 * `trusted` (addresses or CIDR ranges of the proxies in front), then the X-Forwarded-For hops
 * read from the right, skipping trusted ones: the first untrusted hop is the client (the hops to
 * its left are whatever the client wrote). Never the header without a trusted peer: anyone can
 * send one. IPv6 clients are counted per /64.
 */
export function createClientAddress(trusted: readonly string[]) {
  const isTrusted = createProxyCheck(trusted);
  const keyOf = (address: string) => (isIP(address) === 6 ? prefix64(address) : address);

  return function clientOf(peer: string | undefined, forwarded: string | string[] | undefined): string {
    let client = plain(peer ?? '');
    if (!isTrusted(client)) return keyOf(client);
    const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
      .split(',')
      .map((hop) => plain(hop.trim()))
      .filter(Boolean);
    while (hops.length > 0 && isTrusted(client)) {
      const hop = hops.pop()!;
      // Not an address: the trusted proxy that wrote it is the best anyone knows.
      if (isIP(hop) === 0) break;
      client = hop;
    }
    return keyOf(client);
  };
}
