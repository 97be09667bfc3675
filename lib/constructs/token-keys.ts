/**
 * The keys that sign access tokens: an ES256 key set generated at deploy by a custom resource straight into a
 * Secrets Manager secret that only the token-issuing functions may read. The public keys (a JWKS) come back
 * as an attribute for the functions that verify tokens. Rotation: raise `generation` (see docs/architecture.md,
 * "Signing keys"). A multi-region stage keeps one key set, in its home region; the other regions use it
 * through `RemoteTokenKeys` (docs/global.md, "Access-token keys").
 */
import { CustomResource, Duration, ReferenceStrength, Stack, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ChatFunction } from './chat-function';

/** What the API functions need of the token keys, in the home region or (RemoteTokenKeys) another one. */
export interface TokenKeys {
  /** The public keys (JWKS JSON), resolved at deploy: TOKEN_JWKS for the functions that verify tokens. */
  readonly jwks: string;
  /** The secret holding the private key set. */
  readonly secret: secretsmanager.ISecret;
  /**
   * The key generation (`-c tokenKeyGeneration`). Every function that verifies or signs tokens gets it as
   * TOKEN_KEY_GENERATION, which no code reads: a rotation changes it, so CloudFormation updates each of them
   * (and resolves their JWKS again, which another region reads from the home stack) and Lambda replaces
   * their execution environments, none of which keeps an old JWKS or a signing key cached before it.
   */
  readonly generation: number;
  /** Lets a function read the private key set (to issue tokens): login and refresh only. */
  grantSign(fn: ChatFunction): void;
}

/** The environment of a function that verifies tokens (`jwks`) or issues them (`sign`). */
export function tokenKeyEnvironment(keys: TokenKeys, uses: { jwks: boolean; sign: boolean }) {
  return {
    ...(uses.jwks ? { TOKEN_JWKS: keys.jwks } : {}),
    ...(uses.sign ? { TOKEN_SIGNING_KEY_SECRET_ARN: keys.secret.secretArn } : {}),
    ...(uses.jwks || uses.sign ? { TOKEN_KEY_GENERATION: String(keys.generation) } : {}),
  };
}

export interface TokenSigningKeysProps {
  /** Raise by one to rotate: the published next key becomes current (default 1). */
  generation?: number;
}

export class TokenSigningKeys extends Construct implements TokenKeys {
  readonly secret: secretsmanager.Secret;
  /** The public keys (JWKS JSON), resolved at deploy: TOKEN_JWKS for the functions that verify tokens. */
  readonly jwks: string;
  /** The `kid` that signs new tokens, resolved at deploy. */
  readonly currentKid: string;
  readonly generation: number;
  private readonly keys: CustomResource;

  constructor(scope: Construct, id: string, props: TokenSigningKeysProps = {}) {
    super(scope, id);
    const generation = props.generation ?? 1;
    if (!Number.isInteger(generation) || generation < 1) {
      throw new Error(`tokenKeyGeneration must be a whole number from 1, not ${props.generation}`);
    }
    this.generation = generation;

    // Created with a random placeholder; the custom resource replaces it with the key set before any function
    // that reads or verifies with it is deployed (they depend on the custom resource).
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'ES256 key set (current, next, previous) that signs the chat API access tokens',
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotated by redeploying with -c tokenKeyGeneration=N+1 (the custom resource makes the pre-published next key current), so no token ever meets a function that cannot verify it; a Secrets Manager rotation Lambda would change the keys without updating the JWKS the verifying functions hold. Procedure in docs/architecture.md.',
    });

    const keysFunction = new ChatFunction(this, 'Generator', {
      entry: 'functions/custom-resources/token-signing-keys.ts',
      description:
        'Keeps the access-token signing key set at deploy: creates it, rotates it on a new generation',
      timeout: Duration.seconds(60),
    });
    this.secret.grantRead(keysFunction.role);
    this.secret.grantWrite(keysFunction.role);
    const keys = new CustomResource(this, 'Resource', {
      serviceToken: keysFunction.function.functionArn,
      properties: { SecretArn: this.secret.secretArn, Generation: String(generation) },
    });
    this.keys = keys;
    this.jwks = keys.getAttString('Jwks');
    this.currentKid = keys.getAttString('CurrentKid');
  }

  /** Lets a function read the private key set (to issue tokens): login and refresh only. */
  grantSign(fn: ChatFunction) {
    this.secret.grantRead(fn.role);
    fn.function.node.addDependency(this.keys);
  }
}

/**
 * The home region's key set, seen from another region of a multi-region stage: the same JWKS for every
 * verifying function, and the home secret itself (by its full ARN) for login and refresh, which read it in the
 * home region. Not a replica: login and refresh already write to the home region (username claims, refresh
 * tokens; docs/global.md), and one copy means no replication lag right after a rotation.
 */
export class RemoteTokenKeys extends Construct implements TokenKeys {
  readonly jwks: string;
  readonly secret: secretsmanager.ISecret;
  readonly generation: number;

  constructor(scope: Construct, id: string, props: { home: TokenSigningKeys }) {
    super(scope, id);
    // A weak reference (Fn::GetStackOutput): the JWKS changes at every rotation, and a strong cross-region
    // reference (an SSM parameter the home stack writes) refuses to change while this stack uses it.
    this.jwks = Stack.consumeReference(props.home.jwks, ReferenceStrength.WEAK);
    this.generation = props.home.generation;
    this.secret = secretsmanager.Secret.fromSecretCompleteArn(this, 'Secret', props.home.secret.secretArn);
  }

  grantSign(fn: ChatFunction) {
    // The stack itself is deployed after the home stack (lib/chat-app.ts), so the keys exist by then.
    this.secret.grantRead(fn.role);
  }
}
