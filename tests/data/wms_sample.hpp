// The WMS spec's request and reply examples, verbatim.
#pragma once

namespace erpbridge::test_data {

inline const char* kWmsRequestSample = R"({
  "entry_order": {
    "ref_id": "Other",
    "entry_code": "RK230302000001",
    "entry_date": "2023-03-02",
    "owner_code": "OWNER",
    "order_type": "01",
    "department": "00000000",
    "bill_type": "",
    "supplier_code": "SUP01",
    "supplier_name": "厂商SUP01",
    "operate_time": "2023-03-02 11:25:13",
    "operator_code": "ADMIN",
    "last_modified_date": null,
    "remark": "",
    "total_order_lines": 1,
    "extend_props": {}
  },
  "order_lines": [
    {
      "entry_code": "RK230302000001",
      "entry_code_itm": 1,
      "item_code": "P001",
      "item_name": "P001货品P",
      "sku_property": "",
      "batch_code": "",
      "warehouse_code": "A",
      "qty": 100.0,
      "qty1": 0.0,
      "rem": "",
      "request_id": "TI",
      "request_code": "TI33010001",
      "request_itm": "1",
      "source_bilid": "PO",
      "source_bilno": "PO33010001",
      "source_bilitm": "1",
      "extend_props": {}
    }
  ]
})";

inline const char* kWmsReplySample = R"({
    "code":0,
    "message":"新增成功",
    "bil_id":"PC",
    "bil_no":"PC230301001"
})";

}  // namespace erpbridge::test_data
