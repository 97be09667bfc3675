/**
 * `npm run costs`: dollars per million messages, from what `npm run bench` measured
 * (bench/results/latest.json: DynamoDB capacity and handler durations) and AWS list prices (PRICES), written
 * into docs/costs.md between its markers. Rerun the bench, then this, after a change to a hot path.
 *
 * The model: one message sent in a conversation of N members, and the work it causes: the send, the stream
 * consumer's fan-out, socket posts, read markers moved, catch-up and history reads, media, connection time.
 * What the bench does not measure is an assumption below (ASSUMPTIONS), stated in the doc with its value.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { BenchResults, FanOut, Measured } from './results';
import { RESULTS_FILE } from './results';

export interface Price {
  /** Dollars per `per` units. */
  usd: number;
  per: number;
  unit: string;
  source: string;
  /** When the price was looked up (list prices, us-east-1, no free tier, first volume tier). */
  checked: string;
  note?: string;
}

const CHECKED = '2026-11-22';
const API_GATEWAY = 'https://aws.amazon.com/api-gateway/pricing/';
const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';
const DYNAMODB = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const S3 = 'https://aws.amazon.com/s3/pricing/';
const CLOUDFRONT = 'https://aws.amazon.com/cloudfront/pricing/';
const EC2 = 'https://aws.amazon.com/ec2/pricing/on-demand/';
const SECONDHAND =
  'the AWS page could not be opened from here: read from pricing summaries of 2025–2026; confirm';
const FROM_MEMORY = 'the AWS page could not be opened from here and no summary gave it: from memory; confirm';

/** us-east-1 list prices. */
export const PRICES = {
  httpApiRequest: {
    usd: 1,
    per: 1e6,
    unit: 'HTTP API requests (first 300 M a month, 512 KB each)',
    source: API_GATEWAY,
    checked: CHECKED,
    note: SECONDHAND,
  },
  webSocketMessage: {
    usd: 1,
    per: 1e6,
    unit: 'WebSocket messages, in and out (first 1 B a month, 32 KB each)',
    source: API_GATEWAY,
    checked: CHECKED,
    note: SECONDHAND,
  },
  webSocketConnectionMinute: {
    usd: 0.25,
    per: 1e6,
    unit: 'WebSocket connection minutes',
    source: API_GATEWAY,
    checked: CHECKED,
    note: SECONDHAND,
  },
  lambdaRequest: {
    usd: 0.2,
    per: 1e6,
    unit: 'Lambda requests',
    source: LAMBDA,
    checked: CHECKED,
    note: SECONDHAND,
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    per: 1,
    unit: 'Lambda arm64 GB-second (first 7.5 B a month; billed per 1 ms)',
    source: LAMBDA,
    checked: CHECKED,
    note: SECONDHAND,
  },
  dynamoWriteRequestUnit: {
    usd: 0.625,
    per: 1e6,
    unit: 'DynamoDB on-demand write request units (since the Nov 2024 cut)',
    source: DYNAMODB,
    checked: CHECKED,
    note: SECONDHAND,
  },
  dynamoReadRequestUnit: {
    usd: 0.125,
    per: 1e6,
    unit: 'DynamoDB on-demand read request units',
    source: DYNAMODB,
    checked: CHECKED,
    note: SECONDHAND,
  },
  dynamoStreamsReadRequest: {
    usd: 0.02,
    per: 1e5,
    unit: 'DynamoDB Streams read requests (GetRecords); free when a Lambda trigger reads them',
    source: DYNAMODB,
    checked: CHECKED,
    note: FROM_MEMORY,
  },
  s3PutRequest: {
    usd: 0.005,
    per: 1000,
    unit: 'S3 PUT, COPY, POST requests',
    source: S3,
    checked: CHECKED,
    note: SECONDHAND,
  },
  s3GetRequest: {
    usd: 0.0004,
    per: 1000,
    unit: 'S3 GET and HEAD requests',
    source: S3,
    checked: CHECKED,
    note: SECONDHAND,
  },
  s3StorageGbMonth: {
    usd: 0.023,
    per: 1,
    unit: 'S3 Standard GB-month',
    source: S3,
    checked: CHECKED,
    note: SECONDHAND,
  },
  cloudFrontGb: {
    usd: 0.085,
    per: 1,
    unit: 'CloudFront data out, North America and Europe, first 10 TB',
    source: CLOUDFRONT,
    checked: CHECKED,
  },
  cloudFrontRequest: {
    usd: 0.01,
    per: 10_000,
    unit: 'CloudFront HTTPS requests, North America and Europe',
    source: CLOUDFRONT,
    checked: CHECKED,
  },
  dataTransferOutGb: {
    usd: 0.09,
    per: 1,
    unit: 'data out to the internet from API Gateway or EC2 (first 10 TB a month)',
    source: EC2,
    checked: CHECKED,
    note: SECONDHAND,
  },
  // The always-on alternative.
  fargateArmVcpuHour: {
    usd: 0.03238,
    per: 1,
    unit: 'Fargate Linux/arm64 vCPU-hour',
    source: 'https://aws.amazon.com/fargate/pricing/',
    checked: CHECKED,
    note: SECONDHAND,
  },
  fargateArmGbHour: {
    usd: 0.00356,
    per: 1,
    unit: 'Fargate Linux/arm64 GB-hour',
    source: 'https://aws.amazon.com/fargate/pricing/',
    checked: CHECKED,
    note: SECONDHAND,
  },
  albHour: {
    usd: 0.0225,
    per: 1,
    unit: 'Application Load Balancer hour',
    source: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
    checked: CHECKED,
    note: SECONDHAND,
  },
  albLcuHour: {
    usd: 0.008,
    per: 1,
    unit: 'ALB load balancer capacity unit (LCU) hour',
    source: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
    checked: CHECKED,
    note: SECONDHAND,
  },
  publicIpv4Hour: {
    usd: 0.005,
    per: 1,
    unit: 'public IPv4 address hour',
    source: 'https://aws.amazon.com/vpc/pricing/',
    checked: CHECKED,
    note: SECONDHAND,
  },
  ec2T4gSmallHour: {
    usd: 0.0168,
    per: 1,
    unit: 'EC2 t4g.small hour',
    source: EC2,
    checked: CHECKED,
    note: SECONDHAND,
  },
  ebsGp3GbMonth: {
    usd: 0.08,
    per: 1,
    unit: 'EBS gp3 GB-month',
    source: 'https://aws.amazon.com/ebs/pricing/',
    checked: CHECKED,
    note: SECONDHAND,
  },
  rdsT4gMicroHour: {
    usd: 0.016,
    per: 1,
    unit: 'RDS for PostgreSQL db.t4g.micro hour, single-AZ',
    source: 'https://aws.amazon.com/rds/postgresql/pricing/',
    checked: CHECKED,
    note: SECONDHAND,
  },
  rdsGp3GbMonth: {
    usd: 0.115,
    per: 1,
    unit: 'RDS gp3 storage GB-month',
    source: 'https://aws.amazon.com/rds/postgresql/pricing/',
    checked: CHECKED,
    note: SECONDHAND,
  },
} as const satisfies Record<string, Price>;
export type Prices = Record<keyof typeof PRICES, Price>;

/** What the bench cannot measure: how people use the app. Each one is in the doc with its value. */
export const ASSUMPTIONS = {
  /** Members with the app open (a socket connected) when a message arrives. */
  ONLINE_SHARE: 0.3,
  /** Open connections per online member (a phone and a laptop, now and then). */
  CONNECTIONS_PER_ONLINE_MEMBER: 1.2,
  /** Read-marker moves per recipient per message: clients mark the newest message read, one call per ~4. */
  MARK_READ_PER_RECIPIENT: 0.25,
  /** History pages (`GET …/messages`, 50 messages) per recipient per message: one per 50 messages. */
  HISTORY_PAGES_PER_RECIPIENT: 0.02,
  /** Events an offline member's `GET /sync` call brings back, on average, when they return. */
  SYNC_EVENTS_PER_CALL: 10,
  /** Messages that carry a file. */
  MEDIA_SHARE: 0.05,
  /** Average served file, MB (photos after stripping, a few videos and documents). */
  MEDIA_MB: 0.5,
  /** Recipients who open (download) a file. */
  MEDIA_VIEW_SHARE: 0.5,
  /** Months a file stays stored (S3 storage is priced for this long). */
  MEDIA_MONTHS_KEPT: 1,
  /** Average size of an event posted to a socket or returned by /sync, KB. */
  EVENT_KB: 1,
  /** Minutes an active user is connected per message they send (e.g. 60 minutes a day, 20 messages). */
  CONNECTED_MINUTES_PER_MESSAGE_SENT: 3,
  /** Length of one connection, minutes ($connect and $disconnect run once per connection). */
  CONNECTION_MINUTES: 30,
  /** A client pings every this many minutes (API Gateway closes a socket idle for 10). */
  PING_INTERVAL_MINUTES: 5,
  /**
   * Measured durations are multiplied by this. At 512 MB Lambda gives about 0.3 vCPU and a DynamoDB round
   * trip takes a few ms, but the bench's machine is shared and busy (its load is in the results), which
   * slows the local figures at least as much: 1.
   */
  LAMBDA_DURATION_FACTOR: 1,
  /** Stream records per table-stream invocation (1: every record alone, as at low traffic; up to 100). */
  STREAM_RECORDS_PER_INVOCATION: 1,
} as const;
export type Assumptions = { [K in keyof typeof ASSUMPTIONS]: number };

/**
 * Figures the bench does not measure (no socket lifecycle or upload check runs in it), from the access
 * patterns in docs/data-model.md, and durations assumed.
 */
export const DOCUMENTED = {
  /** `$connect`: 0.5 RCU + 2 WCU; `$disconnect`: 2 WCU. */
  connect: { readUnits: 0.5, writeUnits: 2, durationMs: 30 },
  disconnect: { readUnits: 0, writeUnits: 2, durationMs: 20 },
  /** `ping` answers without touching the table. */
  ping: { readUnits: 0, writeUnits: 0, durationMs: 2 },
  /** Upload check: GetItem + UpdateItem media, the quota's pending id removed; S3 HEAD + GET, PUT or COPY. */
  uploadCheck: { readUnits: 1, writeUnits: 2, durationMs: 400, s3Gets: 2, s3Puts: 1 },
  /** Sending a message with a file reads the media item first. */
  mediaSendExtraReadUnits: 0.5,
} as const;

/** Each priced function's configured memory, MB. */
export interface FunctionMemory {
  send: number;
  listMessages: number;
  markRead: number;
  sync: number;
  createMedia: number;
  tableStream: number;
  uploadCheck: number;
  connect: number;
  disconnect: number;
  ping: number;
}

export type CostLine =
  | 'HTTP API requests'
  | 'WebSocket messages'
  | 'WebSocket connection minutes'
  | 'Lambda requests'
  | 'Lambda duration (arm64 GB-s)'
  | 'DynamoDB writes (WRU)'
  | 'DynamoDB reads (RRU)'
  | 'DynamoDB Streams reads'
  | 'Data out (API responses, socket events)'
  | 'S3 requests'
  | 'S3 storage'
  | 'CloudFront (media out)';

/** Lines an always-on server pays too (files and bytes to the internet): left out of the break-even. */
export const SHARED_WITH_ALWAYS_ON: readonly CostLine[] = [
  'Data out (API responses, socket events)',
  'S3 requests',
  'S3 storage',
  'CloudFront (media out)',
];

/** What one message in a conversation of `members` members causes, in billed units. */
export interface Usage {
  members: number;
  httpRequests: number;
  webSocketMessages: number;
  connectionMinutes: number;
  lambdaRequests: number;
  lambdaGbSeconds: number;
  writeUnits: number;
  readUnits: number;
  streamReads: number;
  dataOutGb: number;
  s3Puts: number;
  s3Gets: number;
  s3GbMonths: number;
  cloudFrontGb: number;
  cloudFrontRequests: number;
  /** Events written to members' feeds (each posted to online connections, synced by the others). */
  feedEvents: number;
}

export interface Priced {
  usage: Usage;
  /** Dollars per message, by line. */
  lines: Record<CostLine, number>;
  total: number;
}

const unitPrice = (price: Price) => price.usd / price.per;

/** `conversation.read` goes to every member in direct chats and groups of up to 32, else to the reader. */
export const READ_RECEIPTS_UP_TO_MEMBERS = 32;

export function usageOf(
  fanOut: FanOut,
  model: BenchResults['costModel'],
  memory: FunctionMemory,
  a: Assumptions,
): Usage {
  const n = fanOut.members;
  const recipients = n - 1;
  let lambdaRequests = 0;
  let lambdaGbSeconds = 0;
  let readUnits = 0;
  let writeUnits = 0;
  // `times` invocations of a function of `memoryMb` running `durationMs` (billed per started ms).
  const invoke = (
    times: number,
    memoryMb: number,
    call: { durationMs: number; readUnits: number; writeUnits: number },
  ) => {
    lambdaRequests += times;
    lambdaGbSeconds +=
      (times * (memoryMb / 1024) * Math.ceil(call.durationMs * a.LAMBDA_DURATION_FACTOR)) / 1000;
    readUnits += times * call.readUnits;
    writeUnits += times * call.writeUnits;
  };
  const streamInvocations = (records: number, call: Measured) => {
    // The DynamoDB work is per record; the invocation (request and duration) is shared by a batch.
    lambdaRequests += records / a.STREAM_RECORDS_PER_INVOCATION;
    lambdaGbSeconds +=
      ((records / a.STREAM_RECORDS_PER_INVOCATION) *
        (memory.tableStream / 1024) *
        Math.ceil(call.durationMs * a.LAMBDA_DURATION_FACTOR)) /
      1000;
    readUnits += records * call.readUnits;
    writeUnits += records * call.writeUnits;
  };

  // The send, and the stream consumer's fan-out of it (one stream record).
  invoke(1, memory.send, model.send);
  streamInvocations(1, fanOut.message);
  // Read markers: each move is a call and a stream record that fans out `conversation.read`.
  const markReads = recipients * a.MARK_READ_PER_RECIPIENT;
  invoke(markReads, memory.markRead, model.markRead);
  streamInvocations(markReads, fanOut.read);
  const readAudience = n <= READ_RECEIPTS_UP_TO_MEMBERS ? n : 1;
  // Every event is written to its recipients' feeds: posted to the online ones, synced by the others.
  const feedEvents = n + markReads * readAudience;
  const posts = feedEvents * a.ONLINE_SHARE * a.CONNECTIONS_PER_ONLINE_MEMBER;
  const syncedEvents = feedEvents * (1 - a.ONLINE_SHARE);
  const syncCalls = syncedEvents / a.SYNC_EVENTS_PER_CALL;
  // The read units of the bench's 500-event call, per event; the call itself (request, duration) per call.
  readUnits += syncedEvents * (model.sync.readUnits / Math.max(1, model.sync.events));
  invoke(syncCalls, memory.sync, { durationMs: model.sync.durationMs, readUnits: 0, writeUnits: 0 });
  const historyPages = recipients * a.HISTORY_PAGES_PER_RECIPIENT;
  invoke(historyPages, memory.listMessages, model.listMessages);

  // Files: start the upload, the upload itself, the check; recipients download through CloudFront.
  const files = a.MEDIA_SHARE;
  invoke(files, memory.createMedia, model.createMedia);
  invoke(files, memory.uploadCheck, DOCUMENTED.uploadCheck);
  readUnits += files * DOCUMENTED.mediaSendExtraReadUnits;
  const downloads = files * recipients * a.MEDIA_VIEW_SHARE;
  const fileGb = a.MEDIA_MB / 1024;

  // Connection time per message sent, and the sockets' own lifecycle.
  const connectionMinutes = a.CONNECTED_MINUTES_PER_MESSAGE_SENT * a.CONNECTIONS_PER_ONLINE_MEMBER;
  const connections = connectionMinutes / a.CONNECTION_MINUTES;
  invoke(connections, memory.connect, DOCUMENTED.connect);
  invoke(connections, memory.disconnect, DOCUMENTED.disconnect);
  const pings = connectionMinutes / a.PING_INTERVAL_MINUTES;
  invoke(pings, memory.ping, DOCUMENTED.ping);

  const httpRequests = 1 + markReads + syncCalls + historyPages + files;
  const eventGb = a.EVENT_KB / 1024 / 1024;
  return {
    members: n,
    httpRequests,
    // Each post is one message out; a ping is one in and one out (the pong).
    webSocketMessages: posts + 2 * pings,
    connectionMinutes,
    lambdaRequests,
    lambdaGbSeconds,
    writeUnits,
    readUnits,
    // Read only by the table-stream function's trigger.
    streamReads: 0,
    dataOutGb: (posts + syncedEvents + historyPages * 50) * eventGb,
    s3Puts: files * (1 + DOCUMENTED.uploadCheck.s3Puts),
    // The check's HEAD and GET, and CloudFront's fetch from the bucket (once per file: it is cached).
    s3Gets: files * (DOCUMENTED.uploadCheck.s3Gets + 1),
    s3GbMonths: files * fileGb * a.MEDIA_MONTHS_KEPT,
    cloudFrontGb: downloads * fileGb,
    cloudFrontRequests: downloads,
    feedEvents,
  };
}

export function price(usage: Usage, prices: Prices): Priced {
  const p = (key: keyof Prices) => unitPrice(prices[key]);
  const lines: Record<CostLine, number> = {
    'HTTP API requests': usage.httpRequests * p('httpApiRequest'),
    'WebSocket messages': usage.webSocketMessages * p('webSocketMessage'),
    'WebSocket connection minutes': usage.connectionMinutes * p('webSocketConnectionMinute'),
    'Lambda requests': usage.lambdaRequests * p('lambdaRequest'),
    'Lambda duration (arm64 GB-s)': usage.lambdaGbSeconds * p('lambdaArmGbSecond'),
    'DynamoDB writes (WRU)': usage.writeUnits * p('dynamoWriteRequestUnit'),
    'DynamoDB reads (RRU)': usage.readUnits * p('dynamoReadRequestUnit'),
    'DynamoDB Streams reads': usage.streamReads * p('dynamoStreamsReadRequest'),
    'Data out (API responses, socket events)': usage.dataOutGb * p('dataTransferOutGb'),
    'S3 requests': usage.s3Puts * p('s3PutRequest') + usage.s3Gets * p('s3GetRequest'),
    'S3 storage': usage.s3GbMonths * p('s3StorageGbMonth'),
    'CloudFront (media out)':
      usage.cloudFrontGb * p('cloudFrontGb') + usage.cloudFrontRequests * p('cloudFrontRequest'),
  };
  const total = Object.values(lines).reduce((sum, value) => sum + value, 0);
  return { usage, lines, total };
}

const HOURS_PER_MONTH = 730;

/** Always-on alternatives: monthly dollars, item by item. */
export function alwaysOnOptions(
  prices: Prices,
): { name: string; items: [string, number][]; monthly: number }[] {
  const hourly = (key: keyof Prices, quantity = 1) => quantity * unitPrice(prices[key]) * HOURS_PER_MONTH;
  const monthly = (key: keyof Prices, quantity: number) => quantity * unitPrice(prices[key]);
  const database: [string, number][] = [
    ['RDS db.t4g.micro, single-AZ', hourly('rdsT4gMicroHour')],
    ['RDS 20 GB gp3', monthly('rdsGp3GbMonth', 20)],
  ];
  const options = [
    {
      name: 'Fargate task (0.5 vCPU, 1 GB, arm64) behind an ALB, RDS PostgreSQL db.t4g.micro',
      items: [
        ['Fargate 0.5 vCPU + 1 GB', hourly('fargateArmVcpuHour', 0.5) + hourly('fargateArmGbHour', 1)],
        ['ALB (1 LCU)', hourly('albHour') + hourly('albLcuHour')],
        ['public IPv4: the ALB (2) and the task (1)', hourly('publicIpv4Hour', 3)],
        ...database,
      ] as [string, number][],
    },
    {
      name: 'EC2 t4g.small (TLS on the box, no load balancer), RDS PostgreSQL db.t4g.micro',
      items: [
        ['t4g.small', hourly('ec2T4gSmallHour')],
        ['8 GB gp3 root volume', monthly('ebsGp3GbMonth', 8)],
        ['public IPv4 (1)', hourly('publicIpv4Hour')],
        ...database,
      ] as [string, number][],
    },
  ];
  return options.map((option) => ({
    ...option,
    monthly: option.items.reduce((sum, [, dollars]) => sum + dollars, 0),
  }));
}

/** Serverless dollars per message that an always-on server would not pay. */
export const comparable = (priced: Priced) =>
  Object.entries(priced.lines)
    .filter(([line]) => !SHARED_WITH_ALWAYS_ON.includes(line as CostLine))
    .reduce((sum, [, dollars]) => sum + dollars, 0);

// --- The markdown ---------------------------------------------------------------------------------------

export const BEGIN = '<!-- costs:begin (generated by `npm run costs` from bench/results/latest.json) -->';
export const END = '<!-- costs:end -->';

const label = (members: number) => (members === 2 ? 'direct (2)' : `group of ${members}`);
const dollars = (value: number) =>
  value >= 100
    ? value.toFixed(0)
    : value >= 10
      ? value.toFixed(1)
      : value >= 0.01
        ? value.toFixed(2)
        : value === 0
          ? '0'
          : value.toPrecision(1);
const count = (value: number) =>
  value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value.toFixed(3);
const millions = (value: number) =>
  value >= 1e9
    ? `${(value / 1e9).toFixed(1)} B`
    : value >= 1e6
      ? `${(value / 1e6).toFixed(1)} M`
      : `${(value / 1e3).toFixed(0)} k`;

export interface Inputs {
  results: BenchResults;
  memory: FunctionMemory;
  prices?: Prices;
  assumptions?: Assumptions;
}

export function costTables({
  results,
  memory,
  prices = PRICES,
  assumptions = ASSUMPTIONS,
}: Inputs): Priced[] {
  return results.costModel.fanOut.map((fanOut) =>
    price(usageOf(fanOut, results.costModel, memory, assumptions), prices),
  );
}

export function renderCosts(inputs: Inputs): string {
  const { results, memory, prices = PRICES, assumptions = ASSUMPTIONS } = inputs;
  const priced = costTables(inputs);
  const header = (first: string) =>
    `| ${first} | ${priced.map((one) => label(one.usage.members)).join(' | ')} |\n|---|${priced.map(() => '---:').join('|')}|`;
  const row = (name: string, values: string[]) => `| ${name} | ${values.join(' | ')} |`;
  const out: string[] = [BEGIN, ''];

  out.push('### Dollars per million messages', '', header('line'));
  for (const line of Object.keys(priced[0]?.lines ?? {}) as CostLine[]) {
    out.push(
      row(
        line,
        priced.map((one) => dollars(one.lines[line] * 1e6)),
      ),
    );
  }
  out.push(
    row(
      '**total**',
      priced.map((one) => `**${dollars(one.total * 1e6)}**`),
    ),
  );
  out.push(
    row(
      'of which an always-on server pays too (data out, S3, CloudFront)',
      priced.map((one) => dollars((one.total - comparable(one)) * 1e6)),
    ),
  );

  out.push('', '### What one message causes', '', header('per message'));
  const usageRows: [string, (usage: Usage) => number][] = [
    ['events written to feeds (message and read receipts)', (usage) => usage.feedEvents],
    ['HTTP API requests', (usage) => usage.httpRequests],
    ['WebSocket messages', (usage) => usage.webSocketMessages],
    ['Lambda invocations', (usage) => usage.lambdaRequests],
    ['Lambda GB-s (× 1000)', (usage) => usage.lambdaGbSeconds * 1000],
    ['DynamoDB WRU', (usage) => usage.writeUnits],
    ['DynamoDB RRU', (usage) => usage.readUnits],
    ['CloudFront MB out', (usage) => usage.cloudFrontGb * 1024],
  ];
  for (const [name, pick] of usageRows)
    out.push(
      row(
        name,
        priced.map((one) => count(pick(one.usage))),
      ),
    );

  out.push('', '### Break-even against an always-on server', '');
  out.push(
    'Monthly messages below which the serverless stack costs less, comparing only what differs (an always-on server pays the same for S3, CloudFront and data out):',
    '',
    header('always-on option ($ a month)'),
  );
  for (const option of alwaysOnOptions(prices)) {
    out.push(
      row(
        `${option.name}: **$${option.monthly.toFixed(0)}** (${option.items.map(([item, value]) => `${item} $${value.toFixed(2)}`).join('; ')})`,
        priced.map((one) => millions(option.monthly / comparable(one))),
      ),
    );
  }

  const model = results.costModel;
  out.push('', '### Measured by `npm run bench`', '');
  out.push(
    `Measured ${results.measuredAt.slice(0, 10)} on Node ${results.node}, ${results.cpus} CPUs at load average ${results.loadAverage}, against DynamoDB Local (medians; capacity as DynamoDB Local reports it; durations of the handler in the bench's process, before \`LAMBDA_DURATION_FACTOR\`).`,
    '',
    '| call | memory MB | requests | RCU | WCU | ms |\n|---|---:|---:|---:|---:|---:|',
  );
  const measured: [string, number, Measured][] = [
    ['`POST …/messages` (text)', memory.send, model.send],
    ['`POST …/read`', memory.markRead, model.markRead],
    ['`GET …/messages` (page of 50)', memory.listMessages, model.listMessages],
    [`\`GET /sync?since=\` (${model.sync.events} events)`, memory.sync, model.sync],
    ['`POST /media`', memory.createMedia, model.createMedia],
    ...model.fanOut.flatMap((fan): [string, number, Measured][] => [
      [`stream: a message, ${label(fan.members)}`, memory.tableStream, fan.message],
      [`stream: a read marker, ${label(fan.members)}`, memory.tableStream, fan.read],
    ]),
  ];
  for (const [name, memoryMb, call] of measured) {
    out.push(
      `| ${name} | ${memoryMb} | ${call.requests} | ${call.readUnits} | ${call.writeUnits} | ${call.durationMs} |`,
    );
  }
  out.push(
    `| upload check (not run by the bench: docs/data-model.md, duration assumed) | ${memory.uploadCheck} | 6 | ${DOCUMENTED.uploadCheck.readUnits} | ${DOCUMENTED.uploadCheck.writeUnits} | ${DOCUMENTED.uploadCheck.durationMs} |`,
    `| \`$connect\` + \`$disconnect\` (the same) | ${memory.connect} | 4 | ${DOCUMENTED.connect.readUnits} | ${DOCUMENTED.connect.writeUnits + DOCUMENTED.disconnect.writeUnits} | ${DOCUMENTED.connect.durationMs + DOCUMENTED.disconnect.durationMs} |`,
  );

  out.push('', '### Assumptions (`ASSUMPTIONS` in bench/costs.ts)', '', '| name | value |\n|---|---:|');
  for (const [name, value] of Object.entries(assumptions)) out.push(`| \`${name}\` | ${value} |`);

  out.push('', '### Prices (`PRICES` in bench/costs.ts, us-east-1, list, no free tier)', '');
  out.push('| price | $ | per | source, checked | note |\n|---|---:|---:|---|---|');
  for (const one of Object.values(prices)) {
    out.push(
      `| ${one.unit} | ${one.usd} | ${one.per.toLocaleString('en-US')} | ${one.source} ${one.checked} | ${one.note ?? ''} |`,
    );
  }
  out.push('', END);
  return out.join('\n');
}

/** docs/costs.md with the generated part replaced. */
export function withGenerated(doc: string, generated: string): string {
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`docs/costs.md needs the markers ${BEGIN} and ${END}`);
  return doc.slice(0, begin) + generated + doc.slice(end + END.length);
}

/** The functions' configured memory, from the route tables and the constructs that set it. */
export async function configuredMemory(): Promise<FunctionMemory> {
  const { routes } = await import('../functions/shared/routes');
  const { webSocketRoutes } = await import('../functions/shared/ws-routes');
  const { DEFAULT_MEMORY_MB } = await import('../lib/constructs/chat-function');
  const { UPLOAD_CHECK_MEMORY_MB } = await import('../lib/constructs/media');
  const http = (name: string) => {
    const route = routes.find((one) => one.name === name);
    if (!route) throw new Error(`no route named ${name}`);
    return route.memoryMb ?? DEFAULT_MEMORY_MB;
  };
  const ws = (name: string) => {
    if (!webSocketRoutes.some((one) => one.name === name))
      throw new Error(`no WebSocket route named ${name}`);
    return DEFAULT_MEMORY_MB;
  };
  return {
    send: http('send-message'),
    listMessages: http('list-messages'),
    markRead: http('mark-read'),
    sync: http('sync'),
    createMedia: http('create-media'),
    tableStream: DEFAULT_MEMORY_MB,
    uploadCheck: UPLOAD_CHECK_MEMORY_MB,
    connect: ws('connect'),
    disconnect: ws('disconnect'),
    ping: ws('ping'),
  };
}

export const readResults = (file = RESULTS_FILE): BenchResults => JSON.parse(readFileSync(file, 'utf8'));

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const generated = renderCosts({ results: readResults(), memory: await configuredMemory() });
  writeFileSync('docs/costs.md', withGenerated(readFileSync('docs/costs.md', 'utf8'), generated));
  console.log('wrote docs/costs.md from bench/results/latest.json');
}
