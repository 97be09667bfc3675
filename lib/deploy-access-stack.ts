/**
 * How the GitHub Actions pipeline reaches AWS, deployed once per account by hand (`npm run deploy:access`):
 * GitHub's OIDC identity provider and one deploy role per GitHub environment. A workflow job in that
 * environment of that repository (and nothing else) can assume the role, for an hour at most, with a token
 * GitHub signs for the job: no long-lived keys.
 *
 * Least privilege: the role may only assume the CDK bootstrap roles (`cdk bootstrap`): deploy, file and image
 * publishing, and lookup. CloudFormation does the deploying with the bootstrap's execution role; narrow that
 * with `cdk bootstrap --cloudformation-execution-policies` (docs/operations.md, "The pipeline").
 */
import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** The CDK bootstrap's default qualifier. */
export const CDK_QUALIFIER = 'hnb659fds';

export interface DeployAccessProps extends StackProps {
  /** `owner/name` of the GitHub repository whose workflows deploy. */
  repository: string;
  /** GitHub environment -> the stage its deploy role is for (role name `chat-deploy-<stage>`). */
  environments: Record<string, string>;
  /** An existing OIDC provider for GitHub in this account (there can be only one); else one is created. */
  existingProviderArn?: string;
  qualifier?: string;
}

export class DeployAccessStack extends Stack {
  readonly roles = new Map<string, iam.Role>();

  constructor(scope: Construct, id: string, props: DeployAccessProps) {
    super(scope, id, props);
    if (!/^[\w.-]+\/[\w.-]+$/.test(props.repository)) {
      throw new Error(`githubRepository must be owner/name, not "${props.repository}"`);
    }
    // The native CloudFormation resource: no custom-resource Lambda; IAM fetches GitHub's thumbprint itself.
    const provider = props.existingProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'GitHub', props.existingProviderArn)
      : new iam.OidcProviderNative(this, 'GitHub', {
          url: GITHUB_OIDC_URL,
          clientIds: ['sts.amazonaws.com'],
        });
    const qualifier = props.qualifier ?? CDK_QUALIFIER;

    for (const [environment, stage] of Object.entries(props.environments)) {
      const role = new iam.Role(this, `Deploy${stage.charAt(0).toUpperCase()}${stage.slice(1)}`, {
        roleName: `chat-deploy-${stage}`,
        description: `GitHub Actions (${props.repository}, environment ${environment}) deploys stage ${stage}`,
        maxSessionDuration: Duration.hours(1),
        assumedBy: new iam.WebIdentityPrincipal(provider.oidcProviderArn, {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
            // Only jobs that run in this environment (whose protection rules apply) of this repository.
            [`${GITHUB_OIDC_HOST}:sub`]: `repo:${props.repository}:environment:${environment}`,
          },
        }),
      });
      const kinds = ['deploy', 'file-publishing', 'image-publishing', 'lookup'];
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'AssumeCdkBootstrapRoles',
          actions: ['sts:AssumeRole', 'sts:TagSession'],
          resources: kinds.map(
            (kind) =>
              `arn:${this.partition}:iam::${this.account}:role/cdk-${qualifier}-${kind}-role-${this.account}-*`,
          ),
        }),
      );
      for (const kind of kinds) {
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/cdk-${qualifier}-${kind}-role-<AWS::AccountId>-*]`,
          reason:
            'The CDK bootstrap roles are named per region (cdk-<qualifier>-<kind>-role-<account>-<region>); the wildcard covers the regions of a multi-region stage and nothing else.',
        });
      }
      this.roles.set(environment, role);
      new CfnOutput(this, `${role.node.id}RoleArn`, {
        value: role.roleArn,
        description: `Set as the variable AWS_DEPLOY_ROLE_ARN of the GitHub environment "${environment}"`,
      });
    }
  }
}
