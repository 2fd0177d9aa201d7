package io.gatehouse.k8s.translate.gateway;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A status as readable YAML for golden files: conditions one line each. */
final class StatusRender {
  private StatusRender() {}

  static Map<String, Object> render(ObjectStatus s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("object", s.ref().toString());
    if (s instanceof ObjectStatus.ClassStatus c) {
      m.put("conditions", conditions(c.conditions()));
    } else if (s instanceof ObjectStatus.GatewayStatus g) {
      m.put("addresses", g.addresses().stream().map(a -> a.type() + " " + a.value()).toList());
      m.put("conditions", conditions(g.conditions()));
      List<Object> listeners = new ArrayList<>();
      for (ObjectStatus.ListenerStatus l : g.listeners()) {
        Map<String, Object> lm = new LinkedHashMap<>();
        lm.put("name", l.name());
        lm.put("supportedKinds", l.supportedKinds().stream().map(k -> k.kind()).toList());
        lm.put("attachedRoutes", l.attachedRoutes());
        lm.put("conditions", conditions(l.conditions()));
        listeners.add(lm);
      }
      m.put("listeners", listeners);
      if (g.attachedListenerSets() != null) {
        m.put("attachedListenerSets", g.attachedListenerSets());
      }
    } else if (s instanceof ObjectStatus.PolicyStatus p) {
      m.put("ancestors", parents(p.ancestors()));
    } else if (s instanceof ObjectStatus.RouteStatus r) {
      m.put("parents", parents(r.parents()));
    }
    return m;
  }

  private static List<Object> parents(List<ObjectStatus.RouteParentStatus> entries) {
    {
      List<Object> parents = new ArrayList<>();
      for (ObjectStatus.RouteParentStatus p : entries) {
        Map<String, Object> pm = new LinkedHashMap<>();
        ObjectStatus.ParentRef ref = p.parentRef();
        pm.put(
            "parentRef",
            (ref.kind() == null || ref.kind().equals("Gateway") ? "" : ref.kind() + " ")
                + (ref.namespace() == null ? "" : ref.namespace() + "/")
                + ref.name()
                + (ref.sectionName() == null ? "" : " section " + ref.sectionName())
                + (ref.port() == null ? "" : " port " + ref.port()));
        pm.put("conditions", conditions(p.conditions()));
        parents.add(pm);
      }
      return parents;
    }
  }

  static List<String> conditions(List<GatewayCondition> cs) {
    return cs.stream()
        .map(
            c ->
                c.type()
                    + "="
                    + c.status()
                    + " "
                    + c.reason()
                    + " (gen "
                    + c.observedGeneration()
                    + "): "
                    + c.message())
        .toList();
  }
}
