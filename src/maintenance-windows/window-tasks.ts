/** The job engine's tasks that move windows, keyed by window: `<task>:<window id>`. */
export const WINDOW_START_TASK = 'maintenance_window_start';
export const WINDOW_END_TASK = 'maintenance_window_end';
export const WINDOW_SWEEP_TASK = 'sweep_maintenance_windows';
