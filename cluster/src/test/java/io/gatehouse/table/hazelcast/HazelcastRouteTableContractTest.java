package io.gatehouse.table.hazelcast;

import io.gatehouse.table.RouteTable;
import io.gatehouse.table.RouteTableContract;
import org.junit.jupiter.api.AfterEach;

/** The contract on a one-member cluster; each test gets a fresh member (and so a fresh table). */
class HazelcastRouteTableContractTest extends RouteTableContract {
  private Members members;

  @Override
  protected RouteTable newTable() {
    members = new Members(1);
    return members.start(0, null).table();
  }

  @AfterEach
  void stop() {
    if (members != null) {
      members.close();
    }
  }
}
