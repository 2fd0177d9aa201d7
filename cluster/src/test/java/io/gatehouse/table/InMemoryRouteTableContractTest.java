package io.gatehouse.table;

class InMemoryRouteTableContractTest extends RouteTableContract {
  @Override
  protected RouteTable newTable() {
    return new InMemoryRouteTable();
  }
}
