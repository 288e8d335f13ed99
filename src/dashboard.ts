/** `flowline/dashboard`: bull-board for a deployment's BullMQ queues, to mount in an Express app (docs/guides/operations.md). */
export { mountQueueBoard, discoverQueueNames, QueueProbe, type QueueBoard, type QueueBoardOptions } from './runtime/redis/dashboard.js';
