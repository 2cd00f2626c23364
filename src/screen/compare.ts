export async function* compareRows(..._args: unknown[]): AsyncGenerator<never> {
  throw new Error('not yet');
}
