"""Systems that call our API on their own (政务服务网, 工程建设项目审批管理系统): their tokens and scopes."""
