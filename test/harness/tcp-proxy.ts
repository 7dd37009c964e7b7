import { AddressInfo, createServer, Server, Socket } from 'node:net';

/**
 * A cuttable TCP proxy on 127.0.0.1 in front of a service (Redis, MariaDB, a Lotse node): a network
 * partition without touching the service itself. `cut()` drops every open connection and refuses
 * new ones until `restore()`; `url` is the target's URL with the proxy's host and port.
 */
export class TcpProxy {
  private readonly server: Server;
  private readonly open = new Set<Socket>();
  /** Each connection's pair: what the client sent it to, what answers it. */
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private stalled = false;
  private down = false;
  private port = 0;
  /** Connections accepted so far (to see that a client really went through the proxy). */
  connections = 0;

  constructor(private readonly target: URL) {
    this.server = createServer((client) => {
      if (this.down) return client.destroy();
      this.connections++;
      const upstream = new Socket();
      upstream.connect(Number(target.port || defaultPort(target)), target.hostname);
      for (const s of [client, upstream]) {
        this.open.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.open.delete(s);
          // one side gone: the other goes too (as a real connection would)
          (s === client ? upstream : client).destroy();
        });
      }
      const pair = { client, upstream };
      this.pairs.add(pair);
      client.on('close', () => this.pairs.delete(pair));
      client.pipe(upstream);
      if (this.stalled) upstream.pause();
      else upstream.pipe(client);
    });
  }

  /** Starts listening on a free port; resolves with `url`. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.url;
  }

  /** The target's URL pointing at the proxy (`redis://127.0.0.1:<proxy port>`). */
  get url(): string {
    const u = new URL(this.target.href);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.href.replace(/\/$/, '');
  }

  get isCut(): boolean {
    return this.down;
  }

  /** Partition: drops every connection now and refuses new ones. */
  cut(): void {
    this.down = true;
    for (const s of this.open) s.destroy();
  }

  /** Heals the partition: new connections go through again. */
  restore(): void {
    this.down = false;
  }

  /**
   * A slow consumer: stops reading what the target sends (the client's side of the TCP connection
   * stops being drained), so the target's send buffers fill; `flow()` reads on again.
   */
  stall(): void {
    this.stalled = true;
    for (const { client, upstream } of this.pairs) {
      upstream.unpipe(client);
      upstream.pause();
    }
  }

  flow(): void {
    this.stalled = false;
    for (const { client, upstream } of this.pairs) upstream.pipe(client);
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function defaultPort(u: URL): number {
  if (u.protocol === 'redis:') return 6379;
  if (u.protocol === 'mysql:') return 3306;
  return u.protocol === 'https:' ? 443 : 80;
}
