/**
 * A custom domain served from every region of a stage, each user routed to the nearest (Route 53 latency-based
 * routing): `<domainName>` for the HTTP API and `ws.<domainName>` for the WebSocket API. Each region's stack
 * adds its own certificate, API Gateway domain names and latency records (set identifier: the region), so
 * a region can be added or removed on its own. docs/global.md.
 */
import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';

export interface DomainSettings {
  domainName: string;
  hostedZoneId: string;
  hostedZoneName: string;
}

export interface LatencyDomainProps extends DomainSettings {
  httpApi: apigw.IHttpApi;
  webSocketApi: apigw.IWebSocketApi;
  webSocketStage: apigw.IWebSocketStage;
  httpStage: apigw.IHttpStage;
}

export class LatencyDomain extends Construct {
  readonly httpUrl: string;
  readonly webSocketUrl: string;

  constructor(scope: Construct, id: string, props: LatencyDomainProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: props.hostedZoneId,
      zoneName: props.hostedZoneName,
    });
    const webSocketName = `ws.${props.domainName}`;
    // One regional certificate per region for both names, validated through the zone.
    const certificate = new acm.Certificate(this, 'Certificate', {
      domainName: props.domainName,
      subjectAlternativeNames: [webSocketName],
      validation: acm.CertificateValidation.fromDns(zone),
    });

    const entries = [
      { id: 'Http', name: props.domainName, api: props.httpApi, stage: props.httpStage },
      { id: 'WebSocket', name: webSocketName, api: props.webSocketApi, stage: props.webSocketStage },
    ];
    for (const entry of entries) {
      const domain = new apigw.DomainName(this, `${entry.id}Domain`, {
        domainName: entry.name,
        certificate,
        securityPolicy: apigw.SecurityPolicy.TLS_1_2,
      });
      new apigw.ApiMapping(this, `${entry.id}Mapping`, {
        api: entry.api,
        domainName: domain,
        stage: entry.stage,
      });
      new route53.ARecord(this, `${entry.id}Latency`, {
        zone,
        recordName: entry.name,
        target: route53.RecordTarget.fromAlias(
          new targets.ApiGatewayv2DomainProperties(domain.regionalDomainName, domain.regionalHostedZoneId),
        ),
        // Latency-based routing: one record per region, told apart by the region.
        region,
        setIdentifier: region,
      });
    }
    this.httpUrl = `https://${props.domainName}`;
    this.webSocketUrl = `wss://${webSocketName}`;
  }
}
