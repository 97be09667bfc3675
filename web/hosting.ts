/**
 * What hosting the web app needs, shared by the local web server (local/web-app.ts) and the CloudFront
 * construct (lib/constructs/web-app.ts): the runtime configuration served as /config.json, and the security
 * headers, so the app runs locally under the same Content-Security-Policy it gets on AWS.
 */

/** /config.json: where the app finds the API. Written at deploy on AWS, by `npm start` locally. */
export interface WebRuntimeConfig {
  /** The HTTP API, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com`. */
  apiUrl: string;
  /** The WebSocket API, e.g. `wss://def.execute-api.eu-west-1.amazonaws.com/v1`. */
  wsUrl: string;
  /** The media CDN (avatars and attachments). */
  cdnUrl: string;
}

export interface CspSources {
  /** Where the app may send requests: the HTTP API (an origin or a host pattern such as `https://*.x.com`). */
  api: string;
  /** The WebSocket API's origin. */
  webSocket: string;
  /** The media CDN's origin (images and videos are shown from it). */
  cdn: string;
  /** Where presigned uploads go (the media bucket's endpoint). */
  uploads: string;
}

/**
 * The Content-Security-Policy: scripts and styles only from the app's own origin (no inline code, no eval, no
 * third party), requests only to the API, media only from the CDN, no framing. This is what makes keeping a
 * refresh token in sessionStorage acceptable: an injected script has nowhere to come from and nowhere to send.
 */
export function contentSecurityPolicy(sources: CspSources): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' blob: data: ${sources.cdn}`,
    `media-src 'self' blob: ${sources.cdn}`,
    `connect-src 'self' ${sources.api} ${sources.webSocket} ${sources.uploads}`,
    "font-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');
}

/** Headers besides the CSP, the same locally and on CloudFront (which adds Strict-Transport-Security). */
export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'cross-origin-opener-policy': 'same-origin',
} as const;

/** `https://host:port` of a URL (a CSP source must not carry the path of, e.g., a WebSocket stage). */
export const originOf = (url: string): string => new URL(url).origin;
