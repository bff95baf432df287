import Scaler

extension ReplayReport {
    /// The chart of a replay: each metric against its target, and the replicas (recorded and
    /// each policy's), with schedule windows shaded.
    public static func chart(
        title: String, spec: HorizontalPodAutoscalerSpec, result: ReplayResult, policyLabel: String, metricLabel: String = "recorded",
        compared: [(label: String, result: ReplayResult)] = []
    ) -> ReplayChart {
        func seconds(_ timestamp: Timestamp) -> Double { Double(timestamp.nanosecondsSinceEpoch) / 1e9 }
        var panels: [ChartMetricPanel] = []
        for (index, metric) in spec.metrics.enumerated() {
            var unit = "value"
            var target: Double?
            if let goal = metric.target {
                if let utilization = goal.averageUtilization {
                    unit = "% of request"
                    target = Double(utilization)
                } else if let average = goal.averageValue {
                    unit = "per pod"
                    target = average.approximateDouble
                } else if let value = goal.value {
                    target = value.approximateDouble
                }
            }
            let points = result.steps.map { step -> ChartPoint in
                guard let status = step.decision.metricStatus(at: index), status.kind != .none else {
                    return ChartPoint(time: seconds(step.timestamp), value: nil)  // A failed metric is a gap.
                }
                let value: Double? = status.averageUtilization.map(Double.init)
                    ?? status.averageValue.map { Double($0) / 1000 } ?? status.value.map { Double($0) / 1000 }
                return ChartPoint(time: seconds(step.timestamp), value: value)
            }
            panels.append(ChartMetricPanel(name: metric.displayName, unit: unit, series: points, seriesLabel: metricLabel,
                                           target: target.map { .constant($0) }))
        }
        let recorded = ChartStepSeries(label: "recorded", points: result.steps.map {
            ChartPoint(time: seconds($0.timestamp), value: Double($0.recordedReplicas))
        })
        var policies = [ChartStepSeries(label: policyLabel, points: result.steps.map {
            ChartPoint(time: seconds($0.timestamp), value: Double($0.desiredReplicas))
        })]
        for (label, other) in compared {
            policies.append(ChartStepSeries(label: label, points: other.steps.map {
                ChartPoint(time: seconds($0.timestamp), value: Double($0.desiredReplicas))
            }))
        }
        // Runs of steps under the same schedule become shaded windows.
        var windows: [ChartWindow] = []
        var open: (name: String, start: Double)?
        for step in result.steps {
            let time = seconds(step.timestamp)
            if step.activeSchedule != open?.name {
                if let current = open { windows.append(ChartWindow(label: current.name, start: current.start, end: time)) }
                open = step.activeSchedule.map { ($0, time) }
            }
        }
        if let current = open, let last = result.steps.last {
            windows.append(ChartWindow(label: current.name, start: current.start, end: seconds(last.timestamp)))
        }
        return ReplayChart(title: title, metricPanels: panels,
                           replicas: ChartReplicasPanel(recorded: recorded, policies: policies), windows: windows)
    }
}
