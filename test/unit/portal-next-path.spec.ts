import { safeNext } from '../../client/src/portal/next-path';

const ORIGIN = 'https://beratung.example';

describe('safeNext (the return path after login)', () => {
  it('should keep a path of the center with its query when it is under /c/<center>/', () => {
    expect(safeNext('/c/demo/app/rooms', 'demo', ORIGIN)).toBe('/c/demo/app/rooms');
    expect(safeNext('/c/demo/app/rooms/1?x=2', 'demo', ORIGIN)).toBe('/c/demo/app/rooms/1?x=2');
  });

  it.each([
    ['another origin', 'https://evil.example/c/demo/app'],
    ['a protocol-relative address', '//evil.example/c/demo/app'],
    ['a backslash trick', '/\\evil.example/c/demo/app'],
    ['another center', '/c/other/app/rooms'],
    ['a climb out of the center', '/c/demo/../other/app'],
    ['a javascript: address', 'javascript:alert(1)'],
    ['the login page itself', '/c/demo/login'],
    ['the center prefix without a slash', '/c/demox/app'],
    ['nothing', ''],
  ])('should refuse %s', (_, next) => {
    expect(safeNext(next, 'demo', ORIGIN)).toBeNull();
  });
});
