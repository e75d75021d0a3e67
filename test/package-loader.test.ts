// The addon loader's lookup: local builds before the shipped prebuild, the
// prebuild chosen by node-gyp-build's rules (platform-arch directory, libc tag),
// and $EPOLL_REACTOR_ADDON before everything.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addonCandidates, prebuildCandidate, resolveAddon } from '../src/sys/addon.js';

const dirs: string[] = [];
function fakePackage(files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'epoll-reactor-loader-'));
  dirs.push(root);
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), '');
  }
  return root;
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  delete process.env.EPOLL_REACTOR_ADDON;
});

describe('addon loader: prebuilds', () => {
  it('picks the prebuild for this platform and arch, and skips a musl build on glibc', () => {
    const root = fakePackage([
      'prebuilds/linux-x64/epoll-reactor.musl.node',
      'prebuilds/linux-x64/epoll-reactor.glibc.node',
      'prebuilds/linux-arm64/epoll-reactor.glibc.node',
      'prebuilds/darwin-x64/epoll-reactor.node',
    ]);
    expect(prebuildCandidate(root, 'linux-x64')).toBe(join(root, 'prebuilds/linux-x64/epoll-reactor.glibc.node'));
    expect(prebuildCandidate(root, 'linux-arm64')).toBe(join(root, 'prebuilds/linux-arm64/epoll-reactor.glibc.node'));
  });

  it('names the directory it looked in when nothing fits', () => {
    const root = fakePackage(['prebuilds/linux-x64/epoll-reactor.musl.node']);
    expect(prebuildCandidate(root, 'linux-x64')).toBe(join(root, 'prebuilds/linux-x64/*.node'));
    expect(prebuildCandidate(root, 'linux-riscv64')).toBe(join(root, 'prebuilds/linux-riscv64/*.node'));
  });

  it('prefers a local build, and $EPOLL_REACTOR_ADDON over everything', () => {
    const root = fakePackage([`prebuilds/linux-${process.arch}/epoll-reactor.glibc.node`, 'build-cmake/Release/epoll_reactor.node']);
    expect(resolveAddon(addonCandidates(root))).toBe(join(root, 'build-cmake/Release/epoll_reactor.node'));
    rmSync(join(root, 'build-cmake'), { recursive: true });
    expect(resolveAddon(addonCandidates(root))).toBe(join(root, `prebuilds/linux-${process.arch}/epoll-reactor.glibc.node`));
    process.env.EPOLL_REACTOR_ADDON = join(root, 'custom.node');
    writeFileSync(process.env.EPOLL_REACTOR_ADDON, '');
    expect(resolveAddon(addonCandidates(root))).toBe(join(root, 'custom.node'));
  });

  it('lists every place it looked, the prebuild directory included, in the not-built error', () => {
    const root = fakePackage([]);
    let message = '';
    try {
      resolveAddon(addonCandidates(root));
    } catch (e) {
      message = (e as Error).message;
    }
    for (const p of ['build/Release/epoll_reactor.node', 'build-cmake/Release/epoll_reactor.node', `prebuilds/linux-${process.arch}/*.node`]) {
      expect(message).toContain(join(root, p));
    }
    expect(message).toContain('npm rebuild epoll-reactor');
  });
});
