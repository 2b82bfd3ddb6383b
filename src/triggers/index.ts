// Trigger machinery: schedules, the price monitor and the order watcher (DESIGN.md §7).

export * from './schedule.js';
export * from './scheduler.js';
export * from './price-monitor.js';
export * from './order-watcher.js';
