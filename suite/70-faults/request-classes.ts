import { Buffer } from 'node:buffer';
import type { FaultyGuestRequest, GuestAnswer } from '../support/faulty-guest.js';

export type RequestClassName =
  'plain' | 'streamed response' | 'streamed upload' | 'long-poll' | 'long-poll events' | 'upgrade';

/** One class of Docker API request: what the client sends and what a healthy guest answers. */
export interface RequestClass {
  readonly name: RequestClassName;
  /** The request, in pieces the client writes one after another. */
  readonly request: readonly string[];
  /** Picks this class's request out of what reaches the guest (probes and pings are not it). */
  readonly matches: (request: FaultyGuestRequest) => boolean;
  /** The healthy guest's answer; its first body piece is what a mid-body fault lets through. */
  readonly answer: GuestAnswer;
  /** What the client must receive from a healthy guest: the status and the (de-chunked) body. */
  readonly expected: { readonly status: number; readonly body: string };
}

const chunk = (text: string): string => `${Buffer.byteLength(text, 'latin1').toString(16)}\r\n${text}\r\n`;
const LAST_CHUNK = '0\r\n\r\n';

/** A stdcopy frame (stdout) holding `text`, as latin1 text. */
function frame(text: string): string {
  const header = Buffer.alloc(8);
  header[0] = 1;
  header.writeUInt32BE(Buffer.byteLength(text, 'latin1'), 4);
  return header.toString('latin1') + text;
}

const pathOf = (request: FaultyGuestRequest): string => request.target.split('?')[0] ?? '';

const CONTAINERS = '[{"Id":"c0ffee","Names":["/flt"],"State":"running"}]\n';
const LOG_LINES = [frame('line 1\n'), frame('line 2\n'), frame('line 3\n')];
const BUILD_PROGRESS = ['{"stream":"Step 1/1 : FROM scratch\\n"}\r\n', '{"stream":"Successfully built"}\r\n'];
const WAIT_PARTS = ['{"Error":null,', '"StatusCode":0}\n'];
const GREETING = 'hello from the guest\n';
const EVENTS = [
  '{"Type":"container","Action":"start","Actor":{"ID":"c0ffee"}}\n',
  '{"Type":"container","Action":"die","Actor":{"ID":"c0ffee"}}\n',
];

/** Every request class of the fault matrix. */
export const REQUEST_CLASSES: readonly RequestClass[] = [
  {
    name: 'plain',
    request: ['GET /v1.41/containers/json HTTP/1.1\r\nHost: api.moby.localhost\r\n\r\n'],
    matches: (request) => request.method === 'GET' && pathOf(request).endsWith('/containers/json'),
    answer: {
      head:
        'HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${CONTAINERS.length}\r\n\r\n`,
      pieces: [CONTAINERS.slice(0, 20), CONTAINERS.slice(20)],
      then: 'end',
    },
    expected: { status: 200, body: CONTAINERS },
  },
  {
    name: 'streamed response',
    request: [
      'GET /v1.41/containers/c0ffee/logs?follow=1&stdout=1 HTTP/1.1\r\nHost: api.moby.localhost\r\n\r\n',
    ],
    matches: (request) => pathOf(request).endsWith('/logs'),
    answer: {
      head:
        'HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n' +
        'Transfer-Encoding: chunked\r\n\r\n',
      pieces: [...LOG_LINES.map(chunk), LAST_CHUNK],
      then: 'end',
    },
    expected: { status: 200, body: LOG_LINES.join('') },
  },
  {
    name: 'streamed upload',
    request: [
      'POST /v1.41/build?t=flt%3A1 HTTP/1.1\r\nHost: api.moby.localhost\r\nContent-Type: application/x-tar\r\n' +
        'Transfer-Encoding: chunked\r\n\r\n',
      chunk('a'.repeat(512)),
      chunk('b'.repeat(512)),
      LAST_CHUNK,
    ],
    matches: (request) => request.method === 'POST' && pathOf(request).endsWith('/build'),
    answer: {
      head:
        'HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n' +
        'Transfer-Encoding: chunked\r\n\r\n',
      pieces: [...BUILD_PROGRESS.map(chunk), LAST_CHUNK],
      then: 'end',
    },
    expected: { status: 200, body: BUILD_PROGRESS.join('') },
  },
  {
    name: 'long-poll',
    request: [
      'POST /v1.41/containers/c0ffee/wait?condition=not-running HTTP/1.1\r\nHost: api.moby.localhost\r\n' +
        'Content-Length: 0\r\n\r\n',
    ],
    matches: (request) => request.method === 'POST' && pathOf(request).endsWith('/wait'),
    // dockerd sends the head at once and the body when the container stops.
    answer: {
      head:
        'HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n' +
        'Transfer-Encoding: chunked\r\n\r\n',
      pieces: [...WAIT_PARTS.map(chunk), LAST_CHUNK],
      then: 'end',
    },
    expected: { status: 200, body: WAIT_PARTS.join('') },
  },
  {
    name: 'long-poll events',
    request: ['GET /v1.41/events?since=0 HTTP/1.1\r\nHost: api.moby.localhost\r\n\r\n'],
    matches: (request) => request.method === 'GET' && pathOf(request).endsWith('/events'),
    // dockerd sends the head at once and one JSON message per event, for as long as the client stays.
    answer: {
      head:
        'HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n' +
        'Transfer-Encoding: chunked\r\n\r\n',
      pieces: [...EVENTS.map(chunk), LAST_CHUNK],
      then: 'end',
    },
    expected: { status: 200, body: EVENTS.join('') },
  },
  {
    name: 'upgrade',
    request: [
      'POST /v1.41/containers/c0ffee/attach?stdin=1&stdout=1&stream=1 HTTP/1.1\r\nHost: api.moby.localhost\r\n' +
        'Content-Length: 0\r\nContent-Type: text/plain\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
    ],
    matches: (request) => pathOf(request).endsWith('/attach'),
    answer: {
      head:
        'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\n' +
        'Upgrade: tcp\r\n\r\n',
      pieces: [GREETING],
      then: 'echo',
    },
    // The greeting, then the client's `ping\n` echoed back.
    expected: { status: 101, body: `${GREETING}ping\n` },
  },
];
