/** `flowline/dashboard`: bull-board for a deployment's BullMQ queues, to mount in an Express app (docs/guides/operations.md). */
export { mountQueueBoard, type QueueBoard, type QueueBoardOptions } from './dashboard/queue-board.js';
export { discoverQueueNames, QueueProbe } from './runtime/redis/queue-probe.js';
