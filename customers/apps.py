from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        from qms.core import menu
        from qms.core.demo import register_seeder
        from qms.core.homepage import register_contributor

        from .demo import seed_customers
        from .evidence import register_evidence
        from .home import customer_home
        from .review_inputs import register_review_inputs

        register_contributor(10, customer_home)
        register_seeder(20, "customers", seed_customers)
        menu.register(menu.MenuItem("Customers", "customers:customer_list", "customers.customer", order=10))
        register_evidence()
        register_review_inputs()
