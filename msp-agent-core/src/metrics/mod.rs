//! Help-desk metrics: classification agreement, calibration, resolution, response times, cost and ROI.
