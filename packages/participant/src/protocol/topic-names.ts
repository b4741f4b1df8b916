// Topic naming: every topic of a deployment starts with KAFKA_TOPIC_PREFIX.
//   <prefix>.start                 start requests from initiating services
//   <prefix>.replies               replies from every participant
//   <prefix>.events                saga lifecycle events for other consumers
//   <prefix>.dead-letter           messages the coordinator could not process, with the reason
//   <prefix>.commands.<participant> commands to one participant
export interface TopicNames {
  start: string;
  replies: string;
  events: string;
  deadLetter: string;
  commands(participant: string): string;
}

export function topicNames(prefix: string): TopicNames {
  return {
    start: `${prefix}.start`,
    replies: `${prefix}.replies`,
    events: `${prefix}.events`,
    deadLetter: `${prefix}.dead-letter`,
    commands: (participant: string) => `${prefix}.commands.${participant}`,
  };
}
