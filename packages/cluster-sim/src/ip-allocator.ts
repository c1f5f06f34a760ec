/** Hands out addresses from a /16 the way the service and pod CIDRs of a kind cluster look. */
export class IpAllocator {
  private next = 10;

  constructor(private readonly prefix: string) {}

  allocate(): string {
    const value = this.next;
    this.next += 1;
    return `${this.prefix}.${Math.floor(value / 250) % 250}.${(value % 250) + 1}`;
  }
}
