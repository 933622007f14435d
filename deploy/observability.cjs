// @ts-check
// The stage's alarms, the SNS topic they publish to, and its CloudWatch dashboard, resolved by serverless.yml as
// `${file(./deploy/observability.cjs)}` into a CloudFormation fragment. Thresholds come from the stage's params;
// the runbook in docs/operations.md (Alarms) says what each alarm means and what to do.

const FIVE_MINUTES = 300;
const ONE_HOUR = 3600;

/**
 * @typedef {Record<string, unknown>} CfnObject
 * @typedef {{ Id: string, MetricStat?: CfnObject, Expression?: string, Label?: string, ReturnData: boolean }} MetricQuery
 * @typedef {{
 *   service: string,
 *   stage: string,
 *   functions: string[],
 *   thresholds: Record<string, number>,
 *   alarmEmail: string,
 * }} ObservabilityInput
 */

/** The logical id the framework gives a function's resource (`createSession` → `CreateSessionLambdaFunction`). */
function functionLogicalId(/** @type {string} */ name) {
  return `${name.charAt(0).toUpperCase()}${name.slice(1).replaceAll("-", "Dash").replaceAll("_", "Underscore")}LambdaFunction`;
}

/** A metric of the query array of an alarm. */
function stat(
  /** @type {string} */ id,
  /** @type {string} */ namespace,
  /** @type {string} */ name,
  /** @type {CfnObject[]} */ dimensions,
  period = FIVE_MINUTES,
  statistic = "Sum",
) {
  return {
    Id: id,
    MetricStat: { Metric: { Namespace: namespace, MetricName: name, Dimensions: dimensions }, Period: period, Stat: statistic },
    ReturnData: false,
  };
}

/**
 * One alarm: above (or at) its threshold for one period, to the topic, with its return to OK sent as well.
 * @param {{ name: string, description: string, threshold: number, metrics?: MetricQuery[], metric?: CfnObject, comparison?: string }} spec
 * @param {string} prefix
 */
function alarm(spec, prefix) {
  return {
    Type: "AWS::CloudWatch::Alarm",
    Properties: {
      AlarmName: `${prefix}-${spec.name}`,
      AlarmDescription: `${spec.description} Runbook: docs/operations.md, Alarms.`,
      ComparisonOperator: spec.comparison ?? "GreaterThanOrEqualToThreshold",
      Threshold: spec.threshold,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: "notBreaching",
      ...(spec.metrics ? { Metrics: spec.metrics } : spec.metric),
      AlarmActions: [{ Ref: "AlarmTopic" }],
      OKActions: [{ Ref: "AlarmTopic" }],
    },
  };
}

/**
 * The fragment: a Parameter (the alarm e-mail, so that the subscription is decided by a Condition at deploy time),
 * Conditions, Resources (topic, subscription, alarms, dashboard) and Outputs.
 * @param {ObservabilityInput} input
 */
function observability({ service, stage, functions, thresholds, alarmEmail }) {
  const prefix = `${service}-${stage}`;
  const t = (/** @type {string} */ name) => {
    const value = thresholds[name];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new Error(`params.${stage}.${name} must be a number >= 0`);
    return value;
  };
  const api = [{ Name: "ApiId", Value: { Ref: "HttpApi" } }];
  const hera = [
    { Name: "service", Value: service },
    { Name: "stage", Value: stage },
  ];
  const worker = [{ Name: "FunctionName", Value: { Ref: functionLogicalId("imageWorker") } }];

  // The image jobs that finished in the period, as a metric-math expression.
  const finished = "FILL(failed, 0) + FILL(generated, 0)";

  /** @type {Record<string, ReturnType<typeof alarm>>} */
  const alarms = {
    AlarmApi5xxRate: alarm(
      {
        name: "api-5xx-rate",
        description:
          `More than ${t("alarmApi5xxPercent")} % of the API's responses were 5xx in 5 minutes ` +
          `(from ${t("alarmApiMinRequests")} requests on).`,
        threshold: t("alarmApi5xxPercent"),
        comparison: "GreaterThanThreshold",
        metrics: [
          stat("errors", "AWS/ApiGateway", "5xx", api),
          stat("requests", "AWS/ApiGateway", "Count", api),
          {
            Id: "rate",
            Label: "5xx, % of requests",
            Expression: `IF(FILL(requests, 0) >= ${t("alarmApiMinRequests")}, 100 * FILL(errors, 0) / requests, 0)`,
            ReturnData: true,
          },
        ],
      },
      prefix,
    ),
    AlarmDependencyErrors: alarm(
      {
        name: "dependency-errors",
        description: [
          `At least ${t("alarmDependencyErrors")} requests ended 503 in 5 minutes`,
          "because a dependency did not answer (Hera DependencyErrors).",
        ].join(" "),
        threshold: t("alarmDependencyErrors"),
        metric: { Namespace: "Hera", MetricName: "DependencyErrors", Dimensions: hera, Statistic: "Sum", Period: FIVE_MINUTES },
      },
      prefix,
    ),
    AlarmImagesFailedRatio: alarm(
      {
        name: "images-failed-ratio",
        description:
          `More than ${t("alarmImagesFailedPercent")} % of the image jobs that finished in an hour failed ` +
          `(from ${t("alarmImagesMinJobs")} jobs on).`,
        threshold: t("alarmImagesFailedPercent"),
        comparison: "GreaterThanThreshold",
        metrics: [
          stat("failed", "Hera", "ImagesFailed", hera, ONE_HOUR),
          stat("generated", "Hera", "ImagesGenerated", hera, ONE_HOUR),
          {
            Id: "ratio",
            Label: "failed, % of finished jobs",
            Expression: `IF(${finished} >= ${t("alarmImagesMinJobs")}, 100 * FILL(failed, 0) / (${finished}), 0)`,
            ReturnData: true,
          },
        ],
      },
      prefix,
    ),
    AlarmImageJobsDeadLettered: alarm(
      {
        name: "image-jobs-dead-lettered",
        description: `At least ${t("alarmDeadLetters")} image job events are in the dead-letter queue: the worker could not run them.`,
        threshold: t("alarmDeadLetters"),
        metric: {
          Namespace: "AWS/SQS",
          MetricName: "ApproximateNumberOfMessagesVisible",
          Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": ["ImageJobDeadLetterQueue", "QueueName"] } }],
          Statistic: "Maximum",
          Period: FIVE_MINUTES,
        },
      },
      prefix,
    ),
    AlarmImageEventsLost: alarm(
      {
        name: "image-events-lost",
        description: "Lambda could not deliver a failed image job event to the dead-letter queue: the event is lost.",
        threshold: 1,
        metric: {
          Namespace: "AWS/Lambda",
          MetricName: "DestinationDeliveryFailures",
          Dimensions: worker,
          Statistic: "Sum",
          Period: FIVE_MINUTES,
        },
      },
      prefix,
    ),
    AlarmResultsTableThrottles: alarm(
      {
        name: "results-table-throttles",
        description: `At least ${t("alarmTableThrottles")} reads or writes of the results table were throttled in 5 minutes.`,
        threshold: t("alarmTableThrottles"),
        metrics: [
          stat("reads", "AWS/DynamoDB", "ReadThrottleEvents", [{ Name: "TableName", Value: { Ref: "ResultsTable" } }]),
          stat("writes", "AWS/DynamoDB", "WriteThrottleEvents", [{ Name: "TableName", Value: { Ref: "ResultsTable" } }]),
          { Id: "throttled", Label: "throttled reads + writes", Expression: "FILL(reads, 0) + FILL(writes, 0)", ReturnData: true },
        ],
      },
      prefix,
    ),
  };
  // Per function: an alarm can combine at most 10 metrics, fewer than this service has functions.
  for (const name of functions) {
    const dimensions = [{ Name: "FunctionName", Value: { Ref: functionLogicalId(name) } }];
    const id = functionLogicalId(name).replace(/LambdaFunction$/, "");
    alarms[`Alarm${id}Errors`] = alarm(
      {
        name: `${name}-errors`,
        description: `${name}: at least ${t("alarmFunctionErrors")} invocations failed (crash, timeout, out of memory) in 5 minutes.`,
        threshold: t("alarmFunctionErrors"),
        metric: { Namespace: "AWS/Lambda", MetricName: "Errors", Dimensions: dimensions, Statistic: "Sum", Period: FIVE_MINUTES },
      },
      prefix,
    );
    alarms[`Alarm${id}Throttles`] = alarm(
      {
        name: `${name}-throttles`,
        description: `${name}: at least ${t("alarmFunctionThrottles")} invocations were throttled in 5 minutes.`,
        threshold: t("alarmFunctionThrottles"),
        metric: { Namespace: "AWS/Lambda", MetricName: "Throttles", Dimensions: dimensions, Statistic: "Sum", Period: FIVE_MINUTES },
      },
      prefix,
    );
  }

  return {
    Parameters: {
      AlarmEmail: { Type: "String", Default: alarmEmail, Description: "Where the stage's alarms are mailed; empty for none." },
    },
    Conditions: {
      HasAlarmEmail: { "Fn::Not": [{ "Fn::Equals": [{ Ref: "AlarmEmail" }, ""] }] },
    },
    Resources: {
      AlarmTopic: { Type: "AWS::SNS::Topic", Properties: { TopicName: `${prefix}-alarms`, DisplayName: `Hera ${stage} alarms` } },
      AlarmEmailSubscription: {
        Type: "AWS::SNS::Subscription",
        Condition: "HasAlarmEmail",
        Properties: { TopicArn: { Ref: "AlarmTopic" }, Protocol: "email", Endpoint: { Ref: "AlarmEmail" } },
      },
      ...alarms,
      Dashboard: {
        Type: "AWS::CloudWatch::Dashboard",
        Properties: {
          DashboardName: prefix,
          DashboardBody: {
            "Fn::Sub": JSON.stringify(
              dashboard({ service, stage, functions, alarmNames: Object.values(alarms).map((a) => a.Properties.AlarmName) }),
            ),
          },
        },
      },
    },
    Outputs: {
      AlarmTopicArn: { Value: { Ref: "AlarmTopic" } },
      DashboardName: { Value: { Ref: "Dashboard" } },
    },
  };
}

/**
 * The dashboard body (CloudWatch's JSON), with `${…}` references for Fn::Sub.
 * @param {{ service: string, stage: string, functions: string[], alarmNames: string[] }} input
 */
function dashboard({ service, stage, functions, alarmNames }) {
  const region = "${AWS::Region}";
  const perFunction = (/** @type {string} */ metric, /** @type {Record<string, unknown>} */ options = {}) =>
    functions.map((name) => ["AWS/Lambda", metric, "FunctionName", `\${${functionLogicalId(name)}}`, { label: name, ...options }]);
  const hera = (/** @type {string} */ metric) => ["Hera", metric, "service", service, "stage", stage];
  /** @type {Array<{ title: string, metrics?: unknown[], stat?: string, width?: number, alarms?: string[] }>} */
  const widgets = [
    {
      title: "Alarms",
      alarms: alarmNames.map((name) => `arn:\${AWS::Partition}:cloudwatch:${region}:\${AWS::AccountId}:alarm:${name}`),
      width: 24,
    },
    {
      title: "API: requests, 4xx, 5xx",
      metrics: [
        ["AWS/ApiGateway", "Count", "ApiId", "${HttpApi}"],
        ["AWS/ApiGateway", "4xx", "ApiId", "${HttpApi}"],
        ["AWS/ApiGateway", "5xx", "ApiId", "${HttpApi}"],
      ],
    },
    {
      title: "API: latency (ms)",
      metrics: [
        ["AWS/ApiGateway", "Latency", "ApiId", "${HttpApi}", { stat: "p50" }],
        ["AWS/ApiGateway", "Latency", "ApiId", "${HttpApi}", { stat: "p99" }],
        ["AWS/ApiGateway", "IntegrationLatency", "ApiId", "${HttpApi}", { stat: "p99" }],
      ],
    },
    {
      title: "Hera: the flow",
      metrics: [
        "SessionsCreated",
        "MessagesPosted",
        "PhotosReady",
        "PhotosRejected",
        "ImagesGenerated",
        "ImagesFailed",
        "SessionsCompleted",
        "SessionsDeleted",
      ].map(hera),
    },
    { title: "Hera: trouble", metrics: ["DependencyErrors", "RateLimited"].map(hera) },
    { title: "Functions: errors", metrics: perFunction("Errors") },
    { title: "Functions: throttles", metrics: perFunction("Throttles") },
    { title: "Functions: duration p99 (ms)", metrics: perFunction("Duration", { stat: "p99" }) },
    { title: "Functions: concurrent executions (max)", metrics: perFunction("ConcurrentExecutions", { stat: "Maximum" }) },
    {
      title: "Image worker: async events",
      metrics: [
        ["AWS/Lambda", "AsyncEventsReceived", "FunctionName", `\${${functionLogicalId("imageWorker")}}`],
        ["AWS/Lambda", "AsyncEventsDropped", "FunctionName", `\${${functionLogicalId("imageWorker")}}`],
        ["AWS/Lambda", "DestinationDeliveryFailures", "FunctionName", `\${${functionLogicalId("imageWorker")}}`],
        ["AWS/Lambda", "AsyncEventAge", "FunctionName", `\${${functionLogicalId("imageWorker")}}`, { stat: "Maximum", yAxis: "right" }],
        [
          "AWS/SQS",
          "ApproximateNumberOfMessagesVisible",
          "QueueName",
          "${ImageJobDeadLetterQueue.QueueName}",
          { stat: "Maximum", label: "dead-lettered" },
        ],
      ],
    },
    {
      title: "Results table",
      metrics: ["ReadThrottleEvents", "WriteThrottleEvents", "ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits"].map((metric) => [
        "AWS/DynamoDB",
        metric,
        "TableName",
        "${ResultsTable}",
      ]),
    },
  ];
  let y = 0;
  let x = 0;
  return {
    widgets: widgets.map((widget) => {
      const width = widget.width ?? 12;
      if (x + width > 24) {
        x = 0;
        y += 6;
      }
      const placed = widget.alarms
        ? { type: "alarm", x, y, width, height: 4, properties: { title: widget.title, alarms: widget.alarms } }
        : {
            type: "metric",
            x,
            y,
            width,
            height: 6,
            properties: {
              title: widget.title,
              region,
              stat: widget.stat ?? "Sum",
              period: FIVE_MINUTES,
              view: "timeSeries",
              metrics: widget.metrics,
            },
          };
      x += width;
      if (x >= 24) {
        x = 0;
        y += placed.height;
      }
      return placed;
    }),
  };
}

/**
 * @param {{
 *   resolveVariable: (variable: string) => Promise<unknown>,
 *   resolveConfigurationProperty: (path: string[]) => Promise<unknown>,
 * }} serverless
 */
async function resolveFromServerless({ resolveVariable, resolveConfigurationProperty }) {
  const functions = Object.keys(/** @type {Record<string, unknown>} */ ((await resolveConfigurationProperty(["functions"])) ?? {}));
  const names = [
    "alarmApi5xxPercent",
    "alarmApiMinRequests",
    "alarmDependencyErrors",
    "alarmImagesFailedPercent",
    "alarmImagesMinJobs",
    "alarmFunctionErrors",
    "alarmFunctionThrottles",
    "alarmDeadLetters",
    "alarmTableThrottles",
  ];
  /** @type {Record<string, number>} */
  const thresholds = {};
  for (const name of names) thresholds[name] = Number(await resolveVariable(`param:${name}`));
  const email = await resolveVariable("param:alarmEmail");
  return observability({
    service: String(await resolveVariable("self:service")),
    stage: String(await resolveVariable("sls:stage")),
    functions,
    thresholds,
    alarmEmail: typeof email === "string" ? email.trim() : "",
  });
}
module.exports = Object.assign(resolveFromServerless, { observability, functionLogicalId });
