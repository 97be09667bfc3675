/**
 * The keys that sign access tokens: an ES256 key set generated at deploy by a custom resource straight into a
 * Secrets Manager secret that only the token-issuing functions may read. The public keys (a JWKS) come back
 * as an attribute for the functions that verify tokens. Rotation: raise `generation` (see docs/architecture.md,
 * "Signing keys").
 */
import { CustomResource, Duration, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ChatFunction } from './chat-function';

export interface TokenSigningKeysProps {
  /** Raise by one to rotate: the published next key becomes current (default 1). */
  generation?: number;
}

export class TokenSigningKeys extends Construct {
  readonly secret: secretsmanager.Secret;
  /** The public keys (JWKS JSON), resolved at deploy: TOKEN_JWKS for the functions that verify tokens. */
  readonly jwks: string;
  /** The `kid` that signs new tokens, resolved at deploy. */
  readonly currentKid: string;
  private readonly keys: CustomResource;

  constructor(scope: Construct, id: string, props: TokenSigningKeysProps = {}) {
    super(scope, id);
    const generation = props.generation ?? 1;
    if (!Number.isInteger(generation) || generation < 1) {
      throw new Error(`tokenKeyGeneration must be a whole number from 1, not ${props.generation}`);
    }

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
